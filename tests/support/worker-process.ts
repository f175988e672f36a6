import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli';
import { startProcess } from './processes';

/** The worker processes the tests start: their script, and the log line that says they poll. */
const WORKERS = {
  journeys: { script: 'workers/main.ts', ready: 'journeys worker running' },
  pipeline: { script: 'workers/pipeline-worker.ts', ready: 'pipeline worker running' },
};

/**
 * A worker (`workers/main.ts`, or the pipeline worker) as its own process, with a data directory
 * of its own (a machine): no npm in between, so SIGKILL reaches the worker itself. `ready`
 * resolves once it polls; `output()` is what it has printed so far (JSON log lines).
 */
export function startWorkerProcess(env: Record<string, string>, kind: keyof typeof WORKERS = 'journeys'): { child: ChildProcess; ready: Promise<void>; output: () => string } {
  const dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'machine-'));
  const child = startProcess(process.execPath, ['--import', 'tsx', WORKERS[kind].script], {
    what: `${kind} worker ${WORKERS[kind].script}`,
    cwd: ROOT,
    env: { ...process.env, ...env, WAYMARK_DATA_DIR: dataDir, WAYMARK_LOG_FORMAT: 'json', WAYMARK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(WORKERS[kind].ready)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it ran: ${output.slice(-2000)}`)));
  });
  return { child, ready, output: () => output };
}

/** SIGKILL, resolved once the process is gone. */
export const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL'))));
