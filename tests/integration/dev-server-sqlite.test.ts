import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError, loadConfig } from '../../src/config';
import { startDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/free-port';

/** Starts the dev server `npm run dev` starts, in its own folder and ports, and returns its database's journal mode. */
async function journalModeWith(overrides: Record<string, string>): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-sqlite-'));
  const config = loadConfig({}, {
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    WAYMARK_TEMPORAL_UI_PORT: String(await freePort()),
    ...overrides,
  });
  const server = await startDevServer(config, () => undefined);
  try {
    // The server may hold its write lock a moment (rollback journal mode, a busy machine): wait for it, as SQLite clients do.
    const db = new DatabaseSync(server.db, { readOnly: true, timeout: 30_000 });
    try {
      return String(Object.values(db.prepare('PRAGMA journal_mode').get() ?? {})[0]);
    } finally {
      db.close();
    }
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("the dev server's SQLite pragmas (WAYMARK_DEV_SERVER_SQLITE_PRAGMAS)", () => {
  it('run its database in WAL mode by default', async () => {
    expect(await journalModeWith({})).toBe('wal');
  });

  it("leave SQLite's rollback journal when set empty", async () => {
    expect(await journalModeWith({ WAYMARK_DEV_SERVER_SQLITE_PRAGMAS: '' })).toBe('delete');
  });

  it('serve metrics and the HTTP API on the ports WAYMARK_TEMPORAL_METRICS_PORT and WAYMARK_TEMPORAL_HTTP_PORT pin', async () => {
    const [metricsPort, httpPort] = [await freePort(), await freePort()];
    const dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-ports-'));
    const config = loadConfig({}, {
      WAYMARK_DATA_DIR: dataDir,
      WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      WAYMARK_TEMPORAL_UI_PORT: String(await freePort()),
      WAYMARK_TEMPORAL_METRICS_PORT: String(metricsPort),
      WAYMARK_TEMPORAL_HTTP_PORT: String(httpPort),
    });
    const server = await startDevServer(config, () => undefined);
    try {
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^# HELP /m);
      const api = await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/default`);
      expect(api.status).toBe(200);
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuse an entry that is not name=value, naming the variable', () => {
    let problems: string[] = [];
    try {
      loadConfig({ WAYMARK_DEV_SERVER_SQLITE_PRAGMAS: 'journal_mode=wal,synchronous' });
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).toEqual(['WAYMARK_DEV_SERVER_SQLITE_PRAGMAS="journal_mode=wal,synchronous": entry 2 must be "name=value", e.g. "journal_mode=wal"']);
  });
});
