import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
/** Any constant: two processes migrating at once take turns on this advisory lock. */
const MIGRATION_LOCK = 7_324_101;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The schema changes this build knows, in order: files named NNNN_name.sql. */
export function knownMigrations(): Migration[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8') }));
}

export interface SchemaState {
  applied: number[];
  pending: Migration[];
  /** Versions the database has that this build does not know (a newer build migrated it). */
  unknown: number[];
}

async function appliedVersions(client: pg.Pool | pg.PoolClient): Promise<number[]> {
  const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('waymark_schema_migrations') IS NOT NULL AS exists`);
  if (!rows[0]!.exists) return [];
  const result = await client.query<{ version: number }>('SELECT version FROM waymark_schema_migrations ORDER BY version');
  return result.rows.map((r) => r.version);
}

export async function schemaState(pool: pg.Pool): Promise<SchemaState> {
  const applied = await appliedVersions(pool);
  const known = knownMigrations();
  return {
    applied,
    pending: known.filter((m) => !applied.includes(m.version)),
    unknown: applied.filter((v) => !known.some((m) => m.version === v)),
  };
}

/** Applies the pending migrations, each in its own transaction; returns those applied. */
export async function migrate(pool: pg.Pool, say: (line: string) => void = () => undefined): Promise<Migration[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS waymark_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = await appliedVersions(client);
    const pending = knownMigrations().filter((m) => !applied.includes(m.version));
    for (const m of pending) {
      say(`applying migration ${String(m.version).padStart(4, '0')}_${m.name}`);
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO waymark_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version}_${m.name} failed and was rolled back: ${(err as Error).message}`);
      }
    }
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
