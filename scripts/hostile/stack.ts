import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { startEphemeralDevServer } from '../../tests/support/ephemeral-dev-server';

const ROOT = path.resolve(__dirname, '../..');

export interface HostileStack {
  config: Config;
  key: string;
  url: string;
  metricsUrl: string;
  apiPid: number;
  stop(): Promise<void>;
}

/**
 * A throwaway Temporal dev server and the event API's production entry point (src/api/main.ts,
 * as `npm run api` runs it) in its own process, on loopback, in production mode with a random
 * strong key. `settings` are the API's environment for the run.
 */
export async function startStack(settings: Record<string, string>): Promise<HostileStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-hostile-'));
  const server = await startEphemeralDevServer();
  const key = randomBytes(24).toString('hex');
  const env: Record<string, string> = {
    WAYMARK_ENV: 'production',
    WAYMARK_API_KEYS: `${key}:events`,
    WAYMARK_TEMPORAL_ADDRESS: server.address,
    WAYMARK_TEMPORAL_NAMESPACE: server.namespace ?? 'default',
    WAYMARK_JOURNEY_TASK_QUEUE: `hostile-${randomUUID()}`,
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_API_HOST: '127.0.0.1',
    WAYMARK_API_PORT: '0',
    WAYMARK_API_METRICS_ADDRESS: '127.0.0.1:0',
    // Production's level: refusals are logged at info, floods (429) at debug; writing those lines is part of the cost.
    WAYMARK_LOG_LEVEL: 'info',
    WAYMARK_LOG_FORMAT: 'json',
    ...settings,
  };
  // Its log goes to a file: through a pipe, a reader slower than the API's synchronous log writes would stall the API.
  const logFile = path.join(dataDir, 'api.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', log, 'inherit'] });
  fs.closeSync(log);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await server.teardown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const listening = await untilListening(logFile, () => child.exitCode);
    return { config: loadConfig({}, env), key, url: listening.url, metricsUrl: listening.metrics, apiPid: child.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls the API's log for the line saying where it listens. */
async function untilListening(logFile: string, exitCode: () => number | null): Promise<{ url: string; metrics: string }> {
  for (;;) {
    const line = fs.readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"event API listening"'));
    if (line) return JSON.parse(line) as { url: string; metrics: string };
    if (exitCode() !== null) throw new Error(`the API process exited (code ${exitCode()}) before it listened; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
