import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmbeddedServer } from '../../src/store/embedded';

export default async function globalTeardown(): Promise<void> {
  const devServer = (globalThis as Record<string, unknown>).__waymarkDevServer as TestWorkflowEnvironment | undefined;
  await devServer?.teardown();
  await ((globalThis as Record<string, unknown>).__waymarkPostgres as EmbeddedServer | undefined)?.stop();
  const dir = process.env.WAYMARK_TEST_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
