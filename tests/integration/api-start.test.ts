import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { devServerAddress } from '../support/harness';
import { startProcess } from '../support/processes';

/**
 * The production entry point (`npm run api`) as a process: it refuses weak keys outside
 * development (item 7), and serves metrics on their own loopback address only (item 9).
 */

const ROOT = path.resolve(__dirname, '../..');
const STRONG_KEY = 'c0ffee-4b1d-9e3a-77f2-5d10aa8e6b31';

function startApi(env: Record<string, string>): ChildProcess {
  return startProcess(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', WAYMARK_LOG_FORMAT: 'json', WAYMARK_DATA_DIR: process.env.WAYMARK_TEST_DIR ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('npm run api (src/api/main.ts)', () => {
  it('refuses to start in production with a weak key, naming WAYMARK_API_KEYS but not the key', async () => {
    const child = startApi({ WAYMARK_ENV: 'production', WAYMARK_API_KEYS: `${STRONG_KEY}:events,abc123xyz:events` });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(stderr).toContain('WAYMARK_API_KEYS');
    expect(stderr).toContain('weak key');
    expect(stderr).not.toContain('abc123xyz');
    expect(stderr).not.toContain(STRONG_KEY);
  });

  it('serves /metrics (with the process metrics) on the metrics address only, and /readyz says only ready', async () => {
    const child = startApi({
      WAYMARK_ENV: 'production',
      WAYMARK_API_KEYS: `${STRONG_KEY}:events`,
      WAYMARK_TEMPORAL_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      WAYMARK_TEMPORAL_ADDRESS: devServerAddress(),
      WAYMARK_API_PORT: '0',
      WAYMARK_API_METRICS_ADDRESS: '127.0.0.1:0',
    });
    try {
      const listening = await new Promise<{ url: string; metrics: string }>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        readline.createInterface({ input: child.stdout! }).on('line', (line) => {
          const record = JSON.parse(line) as { msg?: string; url: string; metrics: string };
          if (record.msg === 'event API listening') resolve(record);
        });
      });
      expect((await fetch(`${listening.url}/metrics`)).status).toBe(404);
      const metrics = await fetch(listening.metrics);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^nodejs_version_info\{/m);
      expect(new URL(listening.metrics).hostname).toBe('127.0.0.1');
      const ready = await fetch(`${listening.url}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
