import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface ApiProcess {
  url: string;
  stop(): Promise<void>;
}

const TSX = path.resolve(__dirname, '../node_modules/.bin/tsx');

/**
 * Starts the production entry point (`npm run api`, src/api/main.ts) as a child process with
 * `env`, and resolves with its URL once it logs that it listens. It gets its own event loop, as
 * in production, instead of sharing the load generator's.
 */
export function startApiProcess(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const child = spawn(TSX, [path.resolve(__dirname, '../src/api/main.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the API process exited (code ${code}) before it listened`)));
    // Reading every line also keeps the pipe drained while the process runs.
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const record = parseJson(line);
      if (typeof record?.url === 'string') resolve({ url: record.url, stop });
    });
  });
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
