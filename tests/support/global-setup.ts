import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startEphemeralDevServer } from './ephemeral-dev-server';
import { startOrReuseEmbedded } from '../../src/store/embedded';
import { freePort } from '../../src/free-port';
import { loadConfig } from '../../src/config';
import { startCluster } from '../../scripts/cluster';

/**
 * Once per test run: bundle the workflow code (every worker in the run reuses it), start one
 * real Temporal dev server, with Waymark's search attributes, and one embedded PostgreSQL, in
 * which each test config gets its own database (tests/support/harness.ts testConfig).
 */
export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-test-'));
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  process.env.WAYMARK_TEST_BUNDLE = bundlePath;
  process.env.WAYMARK_TEST_DIR = dir;
  // No settings file (a developer's .env in the project folder) reaches the tests or the processes they start.
  process.env.WAYMARK_ENV_FILE = '';

  const postgresDir = path.join(dir, 'postgres');
  const postgres = await startOrReuseEmbedded({ dir: postgresDir, port: await freePort(), database: 'postgres', startTimeoutMs: 60_000, probeMs: 1_000 });
  // Every process a test starts (the CLI, a worker, `waymark dev`) uses this server, never one of its own.
  process.env.WAYMARK_EMBEDDED_POSTGRES_DIR = postgresDir;
  process.env.WAYMARK_EMBEDDED_POSTGRES_PORT = new URL(postgres.url).port;
  (globalThis as Record<string, unknown>).__waymarkPostgres = postgres;

  // `npm run test:cluster`: the integration tests on a Temporal cluster on PostgreSQL (scripts/cluster.ts) instead of the dev server.
  if (process.env.WAYMARK_TEST_CLUSTER) {
    const config = loadConfig({}, { WAYMARK_ENV: 'test', WAYMARK_DATA_DIR: dir, WAYMARK_TEMPORAL_ADDRESS: process.env.WAYMARK_TEST_CLUSTER, WAYMARK_CLUSTER_POSTGRES_PORT: String(await freePort()) });
    const cluster = await startCluster(config, (line) => console.log(line));
    process.env.WAYMARK_TEST_TEMPORAL_ADDRESS = cluster.address;
    (globalThis as Record<string, unknown>).__waymarkCluster = cluster;
    return;
  }
  const devServer = await startEphemeralDevServer();
  process.env.WAYMARK_TEST_TEMPORAL_ADDRESS = devServer.address;
  (globalThis as Record<string, unknown>).__waymarkDevServer = devServer;
}
