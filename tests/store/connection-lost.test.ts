import path from 'node:path';
import { Store } from '../../src/store/store';
import { eventually } from '../support/dev-server';
import { storeEnv, testConfig } from '../support/harness';
import { ROOT } from '../support/cli';
import { startProcess } from '../support/processes';

describe('a store connection lost in the middle of a transaction (real PostgreSQL, a real process)', () => {
  it('fails that transaction, and the process lives on and uses the store again', async () => {
    const config = testConfig();
    const admin = new Store(config);
    await admin.query('SELECT 1'); // creates and migrates this test's database before the child uses it
    const child = startProcess(process.execPath, ['--import', 'tsx', path.join(__dirname, '../support/store-transaction-child.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...storeEnv(config), WAYMARK_LOG_LEVEL: 'warn', HOLD_MS: '3000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const pid = await eventually(async () => /in-transaction (\d+)/.exec(output)?.[1], 'the child inside its transaction', 60_000);
      // What a PostgreSQL restart or failover does to a connection: the server ends it.
      await admin.query('SELECT pg_terminate_backend($1)', [Number(pid)]);
      expect(await exited).toBe(0);
      expect(output).toMatch(/failed: .*(terminat|Connection)/i);
      expect(output).toContain('the store closed a connection in use');
      expect(output).toContain('store answers 1');
    } finally {
      child.kill('SIGKILL');
      await admin.close();
    }
  });
});
