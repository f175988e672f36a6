import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pg from 'pg';
import { loadConfig, type Config } from '../config';
import { startOrReuseEmbedded } from '../store/embedded';
import { knownMigrations, migrate, schemaState, type SchemaState } from '../store/migrate';
import { describeStore } from '../store/store';

const OK = 0;
const FAILED = 1;

export function registerDbCommand(program: Command): void {
  const db = program
    .command('db')
    .description('the operational store (PostgreSQL): apply schema migrations, see where it is and its state, stop the embedded server')
    .addHelpText(
      'after',
      `
The store is WAYMARK_DATABASE_URL, or, when that is empty, an embedded PostgreSQL under
WAYMARK_EMBEDDED_POSTGRES_DIR (default <WAYMARK_DATA_DIR>/postgres) that the first Waymark
process to need it starts.

Examples:
  waymark db status
  WAYMARK_DATABASE_URL=postgres://waymark@db.internal/waymark waymark db migrate`,
    );

  db.command('migrate')
    .description('apply the schema migrations the store lacks, each in its own transaction, printing each')
    .addHelpText(
      'after',
      `
Production runs this before starting workers and APIs of a new build (they refuse a schema that
lacks migrations). The embedded store migrates itself unless WAYMARK_DB_MIGRATE_ON_START says
otherwise. Exits 1 when a migration fails (it is rolled back) or the store cannot be reached.

Example:
  waymark db migrate`,
    )
    .action(async () => {
      process.exitCode = await migrateCommand(loadConfig());
    });

  db.command('status')
    .description('where the store is, whether the embedded server runs, and which migrations are applied or pending')
    .addHelpText('after', '\nDoes not start the embedded server. Exits 1 when the store cannot be reached.\n\nExample:\n  waymark db status')
    .action(async () => {
      process.exitCode = await statusCommand(loadConfig());
    });

  db.command('stop')
    .description('stop the embedded PostgreSQL (whoever started it)')
    .addHelpText(
      'after',
      `
'npm run dev' stops the server it started when it exits, so this is for a server left running by
a worker, an API or a command (they leave it running for each other), or by a killed process.
Workers and APIs still running lose the store until it runs again; the next Waymark process that
opens the store starts it. Exits 1 with WAYMARK_DATABASE_URL set: Waymark does not stop a server
it does not run.

Example:
  waymark db stop`,
    )
    .action(async () => {
      process.exitCode = await stopCommand(loadConfig());
    });
}

/** The embedded server's process id when it runs (from its postmaster.pid); never starts it. */
function embeddedPid(config: Config): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(config.store.embedded.dir, 'data', 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.split('\n')[0]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, run by another user (the `postgres` user, when Waymark runs as root).
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** A pool on the store without the schema check Store does: these commands exist to report or fix the schema. */
async function openPool(config: Config): Promise<pg.Pool> {
  const url = config.store.url || (await startOrReuseEmbedded(config.store.embedded)).url;
  // No statement timeout: a migration may rewrite a big table; it runs in its own transaction.
  const pool = new pg.Pool({ connectionString: url, max: config.store.poolMax, connectionTimeoutMillis: config.store.connectTimeoutMs, allowExitOnIdle: true });
  pool.on('error', () => undefined); // an idle connection dropped; the command's own query reports what matters
  return pool;
}

const named = (versions: number[]) => versions.map((v) => knownMigrations().find((m) => m.version === v)).map((m, i) => (m ? `${String(m.version).padStart(4, '0')}_${m.name}` : String(versions[i])));

async function migrateCommand(config: Config): Promise<number> {
  console.log(`store: ${describeStore(config)}`);
  const pool = await openPool(config);
  try {
    const before = await schemaState(pool);
    if (before.unknown.length) {
      console.error(`the store has migrations this build does not know (${before.unknown.join(', ')}): a newer Waymark migrated it; run that version's 'waymark db migrate'`);
      return FAILED;
    }
    const applied = await migrate(pool, (line) => console.log(line));
    console.log(applied.length ? `${applied.length} migration(s) applied; the schema is current` : `nothing to apply: the schema is current (${named(before.applied).join(', ')})`);
    return OK;
  } catch (err) {
    console.error((err as Error).message);
    return FAILED;
  } finally {
    await pool.end();
  }
}

function printSchema(state: SchemaState): void {
  console.log(`migrations applied: ${state.applied.length ? named(state.applied).join(', ') : 'none'}`);
  console.log(`migrations pending: ${state.pending.length ? `${state.pending.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ')} ('waymark db migrate' applies them)` : 'none'}`);
  if (state.unknown.length) console.log(`migrations this build does not know: ${state.unknown.join(', ')} (a newer Waymark migrated the store)`);
}

async function statusCommand(config: Config): Promise<number> {
  console.log(`store: ${describeStore(config)}`);
  if (!config.store.url) {
    const pid = embeddedPid(config);
    const created = fs.existsSync(path.join(config.store.embedded.dir, 'credentials.json'));
    if (!pid) {
      console.log(`embedded server: not running${created ? '' : ' (not created yet)'}; the first Waymark process that needs the store starts it`);
      console.log(`this build's migrations: ${knownMigrations().map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ')}`);
      return OK;
    }
    console.log(`embedded server: running (pid ${pid})`);
  }
  let pool: pg.Pool | undefined;
  try {
    pool = await openPool(config);
    printSchema(await schemaState(pool));
    return OK;
  } catch (err) {
    console.error(`cannot read the store's schema: ${(err as Error).message}`);
    return FAILED;
  } finally {
    await pool?.end();
  }
}

async function stopCommand(config: Config): Promise<number> {
  if (config.store.url) {
    console.error(`the store is ${describeStore(config)} (WAYMARK_DATABASE_URL), which Waymark does not run; stop it where it is run`);
    return FAILED;
  }
  const pid = embeddedPid(config);
  if (!pid) {
    console.log(`the embedded PostgreSQL in ${config.store.embedded.dir} is not running; nothing to stop`);
    return OK;
  }
  console.log(`stopping the embedded PostgreSQL (pid ${pid}) in ${config.store.embedded.dir} ...`);
  await (await startOrReuseEmbedded(config.store.embedded)).stop();
  if (embeddedPid(config)) {
    console.error(`it is still running; see ${path.join(config.store.embedded.dir, 'data', 'server.log')}`);
    return FAILED;
  }
  console.log('stopped. Workers and APIs still running lose the store until a Waymark process starts it again.');
  return OK;
}
