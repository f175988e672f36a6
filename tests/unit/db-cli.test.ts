import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/free-port';
import { knownMigrations } from '../../src/store/migrate';
import { accepts, runWaymark } from '../support/cli';

/**
 * `waymark db` as a user runs it, on an embedded PostgreSQL of this file's own (not the test
 * run's shared one: this file stops its server): status before and after it exists, a schema
 * that lacks migrations refused, migrate, stop.
 */

describe('waymark db (an embedded PostgreSQL of its own)', () => {
  let env: Record<string, string>;
  let port: number;
  const names = knownMigrations().map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'db-cli-'));
    port = await freePort();
    env = { WAYMARK_DATA_DIR: dir, WAYMARK_EMBEDDED_POSTGRES_DIR: path.join(dir, 'postgres'), WAYMARK_EMBEDDED_POSTGRES_PORT: String(port), WAYMARK_DATABASE_URL: '', WAYMARK_LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    if (env) await runWaymark(['db', 'stop'], env); // when a test failed before stopping it
  });

  it('reports a server not created yet, without starting it', async () => {
    const status = await runWaymark(['db', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`store: the embedded PostgreSQL in ${env.WAYMARK_EMBEDDED_POSTGRES_DIR} (127.0.0.1:${port}, database waymark)`);
    expect(status.stdout).toContain('embedded server: not running (not created yet)');
    expect(await accepts(port)).toBe(false);
  });

  it('refuses a store that lacks migrations when they may not run by themselves, naming the command that fixes it', async () => {
    const list = await runWaymark(['journeys', 'list'], { ...env, WAYMARK_DB_MIGRATE_ON_START: 'never' });
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/^waymark: the embedded PostgreSQL in .* lacks migrations .*: run 'waymark db migrate' first/);
    expect(list.stderr).not.toContain('WAYMARK_LOG_LEVEL=debug'); // a known error: its message is the whole story
    const status = await runWaymark(['db', 'status'], env);
    expect(status.stdout).toMatch(/^embedded server: running \(pid \d+\)$/m);
    expect(status.stdout).toContain('migrations applied: none');
    expect(status.stdout).toContain(`migrations pending: ${names.join(', ')} ('waymark db migrate' applies them)`);
  });

  it('migrates, printing each migration, and then has nothing to apply', async () => {
    const migrated = await runWaymark(['db', 'migrate'], env);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(names.map((n) => `applying migration ${n}`).join('\n'));
    expect(migrated.stdout).toContain(`${names.length} migration(s) applied; the schema is current`);
    const status = await runWaymark(['db', 'status'], env);
    expect(status.stdout).toContain(`migrations applied: ${names.join(', ')}\nmigrations pending: none`);
    const again = await runWaymark(['db', 'migrate'], env);
    expect(again.stdout).toContain(`nothing to apply: the schema is current (${names.join(', ')})`);
  });

  it('stops the embedded server, and refuses to stop a server it does not run', async () => {
    const stopped = await runWaymark(['db', 'stop'], env);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('stopped.');
    expect(await accepts(port)).toBe(false);
    expect((await runWaymark(['db', 'status'], env)).stdout).toMatch(/^embedded server: not running;/m);

    const remote = await runWaymark(['db', 'stop'], { ...env, WAYMARK_DATABASE_URL: 'postgres://waymark@db.invalid:5432/waymark' });
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('the store is PostgreSQL at db.invalid:5432/waymark (WAYMARK_DATABASE_URL), which Waymark does not run');
  });
});
