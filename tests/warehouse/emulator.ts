import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/free-port';
import { startProcess } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');
const INSTALLED = path.join(ROOT, '.tools/py/bqemulator');

/**
 * The BigQuery emulator (PyPI bqemulator, installed by scripts/setup.sh) on a loopback port, in
 * memory: the official client talks to it as to BigQuery. One per test file.
 */
export async function startBigQueryEmulator(projectId: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  if (!fs.existsSync(INSTALLED)) throw new Error(`no BigQuery emulator in ${INSTALLED}: run 'npm run setup'`);
  const [restPort, grpcPort] = [await freePort(), await freePort()];
  const child: ChildProcess = startProcess(
    'python3',
    [path.join(ROOT, 'scripts/bqemulator-offline.py'), 'start', '--rest-port', String(restPort), '--grpc-port', String(grpcPort), '--ephemeral', '--project', projectId],
    { env: { ...process.env, PYTHONPATH: INSTALLED, BQEMU_LOG_LEVEL: 'WARNING' }, stdio: ['ignore', 'ignore', 'pipe'], what: 'the BigQuery emulator' },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${restPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the BigQuery emulator exited (${child.exitCode}):\n${stderr}`);
    try {
      const answer = await fetch(`${endpoint}/bigquery/v2/projects/${projectId}/datasets`);
      if (answer.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the BigQuery emulator did not answer within 60s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
