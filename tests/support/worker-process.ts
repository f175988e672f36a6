import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli';

/**
 * `workers/main.ts` as its own process, with a data directory of its own (a machine): no npm in
 * between, so SIGKILL reaches the worker itself. `ready` resolves once it polls.
 */
export function startWorkerProcess(env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'machine-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, WAYMARK_DATA_DIR: dataDir, WAYMARK_LOG_FORMAT: 'json', WAYMARK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('journeys worker running')) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it ran: ${output.slice(-2000)}`)));
  });
  return { child, ready };
}

/** SIGKILL, resolved once the process is gone. */
export const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL'))));
