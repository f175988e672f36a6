import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEphemeralDevServer } from './ephemeral-dev-server';

/**
 * Once per test run: bundle the workflow code (every worker in the run reuses it) and start one
 * real Temporal dev server, with Waymark's search attributes, for the integration tests.
 */
export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-test-'));
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  process.env.WAYMARK_TEST_BUNDLE = bundlePath;
  process.env.WAYMARK_TEST_DIR = dir;

  const devServer = await startEphemeralDevServer();
  process.env.WAYMARK_TEST_TEMPORAL_ADDRESS = devServer.address;
  (globalThis as Record<string, unknown>).__waymarkDevServer = devServer;
}
