import pg from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { storeFailure } from './data-error';
import { dropDatabase, startOrReuseEmbedded, type EmbeddedServer } from './embedded';
import { migrate, schemaState } from './migrate';

/** The store's schema is not the one this build needs; only `waymark db migrate` fixes it. */
export class StoreSchemaError extends Error {
  readonly code = 'STORE_SCHEMA';
  constructor(message: string) {
    super(message);
    this.name = 'StoreSchemaError';
  }
}

/** Where the store is, for messages and logs: never the password. */
export function describeStore(config: Config): string {
  if (!config.store.url) return `the embedded PostgreSQL in ${config.store.embedded.dir} (127.0.0.1:${config.store.embedded.port}, database ${config.store.embedded.database})`;
  const url = new URL(config.store.url);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/**
 * The operational store: one PostgreSQL (embedded locally, a server in production) that the
 * worker, the API and the CLI share. Connects on first use, so building the adapters costs
 * nothing; a failed connection is tried again by the next call (an activity's retry).
 */
export class Store {
  private opening?: Promise<pg.Pool>;
  private embedded?: EmbeddedServer;

  constructor(
    readonly config: Config,
    private readonly logger?: Logger,
  ) {}

  pool(): Promise<pg.Pool> {
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  /** One statement; a value PostgreSQL refuses as data fails as StoreDataError (see storeFailure). */
  async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const pool = await this.pool();
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  /**
   * Runs `work` in one transaction on one connection; rolls back when it throws (a value PostgreSQL
   * refuses as data fails as StoreDataError, see storeFailure). A connection the
   * server drops mid-transaction (a restart, a failover, a terminated backend) fails this call, and
   * the connection is thrown away, not returned to the pool: pg emits that loss as an 'error' event
   * on the checked-out client, which without a listener would end the whole process.
   */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await (await this.pool()).connect();
    let lost: Error | undefined;
    const onLost = (err: Error) => {
      lost = err;
      this.logger?.warn({ err: err.message }, `the store closed a connection in use: ${describeStore(this.config)}`);
    };
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      throw storeFailure(err);
    } finally {
      client.off('error', onLost);
      client.release(lost);
    }
  }

  /** True when this process started the embedded server (`npm run dev` stops it on exit). */
  startedEmbedded(): boolean {
    return this.embedded?.startedHere ?? false;
  }

  /** Drops this store's database: for scratch stores only (a preview's), never the configured one. */
  async dropScratchDatabase(): Promise<void> {
    const url = this.embedded?.url;
    await this.close();
    if (url) await dropDatabase(url);
  }

  /** Stops the embedded server, whoever started it. */
  async stopEmbedded(): Promise<void> {
    await this.embedded?.stop();
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (opening) await (await opening.catch(() => undefined))?.end();
  }

  private async open(): Promise<pg.Pool> {
    const { store } = this.config;
    let url = store.url;
    if (!url) {
      this.embedded = await startOrReuseEmbedded(store.embedded);
      url = this.embedded.url;
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: store.poolMax,
      connectionTimeoutMillis: store.connectTimeoutMs,
      statement_timeout: store.statementTimeoutMs,
      query_timeout: store.statementTimeoutMs + store.connectTimeoutMs,
      // Idle connections must not keep a finished CLI command (or test) alive.
      allowExitOnIdle: true,
    });
    // An idle connection the server closed (a restart): log it; the pool replaces the connection.
    pool.on('error', (err) => this.logger?.warn({ err: err.message }, `the store closed a connection: ${describeStore(this.config)}`));
    try {
      await this.checkSchema(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return pool;
  }

  private async checkSchema(pool: pg.Pool): Promise<void> {
    const { migrateOnStart, url } = this.config.store;
    if (migrateOnStart === 'always' || (migrateOnStart === 'embedded' && !url)) {
      for (const m of await migrate(pool)) this.logger?.info({ migration: m.version }, `store: applied migration ${m.version}_${m.name}`);
      return;
    }
    const state = await schemaState(pool);
    if (state.unknown.length) {
      throw new StoreSchemaError(`${describeStore(this.config)} has migrations this build does not know (${state.unknown.join(', ')}): a newer Waymark migrated it; run that version`);
    }
    if (state.pending.length) {
      const names = state.pending.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ');
      throw new StoreSchemaError(`${describeStore(this.config)} lacks migrations ${names}: run 'waymark db migrate' first (migrations run by themselves only as WAYMARK_DB_MIGRATE_ON_START says)`);
    }
  }
}
