import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig, type Config } from '../src/config';
import pg from 'pg';
import { startDevServer } from '../src/temporal/dev-server';
import { startCluster } from '../scripts/cluster';
import type { CpuPart } from './report';
import { startApiProcess, type ApiProcess } from './api-process';
import { startChild, type Child } from './children';
import { freePort } from '../src/free-port';
import type { Store } from '../src/store/store';
import { benchStoreEnv, killLeftoverPostgres, postmasterPid, startBenchStore } from './bench-store';
import { temporalDataConverter } from '../src/temporal/data-converter';

/** A worker process the bench started, with the URL of its Temporal SDK metrics. */
export interface WorkerProcess {
  child: Child;
  taskQueue: string;
  metricsUrl: string;
}

/**
 * What a bench runs on: a fresh dev server started exactly as `npm run dev` starts it
 * (startDevServer: file-persisted, same SQLite pragmas) and a fresh embedded PostgreSQL store
 * (migrated, the journeys published), both in a temporary data folder, and the processes the
 * bench adds to them, which all share that store. stop() ends them all, the store's server
 * included, and removes the folder; it is safe to call twice and on Ctrl-C.
 */
export class Stack {
  private readonly stops: Array<() => Promise<void>> = [];
  private constructor(
    readonly config: Config,
    readonly client: Client,
    /** The Temporal server's process, and its database: the dev server's SQLite file, or the cluster's PostgreSQL. */
    readonly server: { kind: 'dev'; pid: number; db: string } | { kind: 'cluster'; pid: number; postgresUrl: string; shards: number },
    /** The bench's store: what the bench reads to know work is done. */
    readonly store: Store,
  ) {}

  static async start(overrides: Record<string, string>, say: (line: string) => void, temporalKind: 'dev' | 'cluster' = 'dev'): Promise<Stack> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-'));
    let server: Awaited<ReturnType<typeof startDevServer>> | undefined;
    const config = loadConfig(process.env, {
      WAYMARK_LOG_LEVEL: 'error',
      WAYMARK_DATA_DIR: dataDir,
      WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      WAYMARK_TEMPORAL_UI_PORT: String(await freePort()),
      ...benchStoreEnv(await freePort()),
      ...overrides,
    });
    const pgDir = config.store.embedded.dir;
    // Whatever way the bench ends (a bad setting, an uncaught error), the servers and the folder go with it.
    const removeDir = () => (killLeftoverPostgres(pgDir, config.bench.stopGraceMs), fs.rmSync(dataDir, { recursive: true, force: true }));
    process.on('exit', () => (server?.process.kill('SIGKILL'), removeDir()));
    const { store, published } = await startBenchStore(config);
    say(`Store: embedded PostgreSQL in ${pgDir} (port ${config.store.embedded.port}); published ${published.join(', ') || 'no journey'}.`);
    const stopStore = async () => (await store.close(), await store.stopEmbedded());
    let described: Stack['server'];
    let stopServer: () => Promise<void>;
    if (temporalKind === 'cluster') {
      const cluster = await startCluster(loadConfig(process.env, { ...overrides, WAYMARK_DATA_DIR: dataDir, WAYMARK_TEMPORAL_ADDRESS: config.temporal.address, WAYMARK_CLUSTER_POSTGRES_PORT: String(await freePort()) }), say);
      process.on('exit', () => cluster.process.kill('SIGKILL'));
      described = { kind: 'cluster', pid: cluster.process.pid!, postgresUrl: cluster.postgresUrl, shards: config.cluster.historyShards };
      stopServer = () => cluster.stop();
    } else {
      const started = (server = await startDevServer(config, say));
      described = { kind: 'dev', pid: started.process.pid!, db: started.db };
      stopServer = () => withGrace(started.stop(), config.bench.stopGraceMs, () => started.process.kill('SIGKILL'));
    }
    const connection = await Connection.connect({ address: config.temporal.address });
    const stack = new Stack(config, new Client({ connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(config, store) }), described, store);
    stack.stops.push(async () => removeDir(), stopStore, stopServer, () => connection.close());
    return stack;
  }

  /** The environment of a bench child: the user's, pointed at this stack (its store already migrated and published). */
  private childEnv(taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { temporal, dataDir, store } = this.config;
    return {
      ...process.env,
      WAYMARK_TEMPORAL_ADDRESS: temporal.address,
      WAYMARK_TEMPORAL_NAMESPACE: temporal.namespace,
      WAYMARK_JOURNEY_TASK_QUEUE: taskQueue,
      WAYMARK_DATA_DIR: dataDir,
      ...benchStoreEnv(store.embedded.port),
      WAYMARK_DB_MIGRATE_ON_START: 'never',
      WAYMARK_PUBLISH_ON_START: 'false',
      WAYMARK_LOG_LEVEL: 'warn',
      WAYMARK_LOG_FORMAT: 'json',
      ...extra,
    };
  }

  /**
   * Starts a worker's entry point (workers/main.ts for the journeys, bench/baseline-worker.ts) as
   * a process of its own, with the SDK's metrics on a free port, and resolves once it polls.
   */
  async startWorker(name: string, entry: string, taskQueue: string): Promise<WorkerProcess> {
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    const { stopGraceMs, startTimeoutMs } = this.config.bench;
    const child = startChild(name, entry, this.childEnv(taskQueue, { WAYMARK_WORKER_METRICS_ADDRESS: metricsAddress }), stopGraceMs);
    this.stops.push(() => child.stop());
    const deadline = Date.now() + startTimeoutMs;
    while (!(await this.polled(taskQueue))) {
      if (Date.now() > deadline) throw new Error(`the ${name} did not poll ${taskQueue} within ${startTimeoutMs / 1000}s (WAYMARK_BENCH_START_TIMEOUT):\n${child.tail()}`);
      await Promise.race([new Promise((r) => setTimeout(r, 500)), child.died]);
    }
    return { child, taskQueue, metricsUrl: `http://${metricsAddress}/metrics` };
  }

  private async polled(taskQueue: string): Promise<boolean> {
    const { pollers } = await this.client.workflowService.describeTaskQueue({
      namespace: this.config.temporal.namespace,
      taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (pollers?.length ?? 0) > 0;
  }

  /** The event API's production entry point, handing events to `taskQueue`. */
  async startApi(taskQueue: string): Promise<ApiProcess> {
    const { stopGraceMs, startTimeoutMs } = this.config.bench;
    const api = await startApiProcess(this.childEnv(taskQueue, { WAYMARK_API_HOST: '127.0.0.1', WAYMARK_API_PORT: '0' }), stopGraceMs, startTimeoutMs);
    this.stops.push(() => api.child.stop());
    return api;
  }

  /**
   * The server's database now: its files (temporal.db and its write-ahead log, which keeps its
   * high-water size between checkpoints), and the pages in use as SQLite sees them (committed
   * WAL content counted once, free pages not).
   */
  async dbSize(): Promise<{ fileBytes: number; usedBytes: number }> {
    if (this.server.kind === 'cluster') {
      // PostgreSQL: the two databases' size on disk (tables, indexes, TOAST; not the WAL) for both figures.
      const client = new pg.Client({ connectionString: this.server.postgresUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ bytes: string }>("SELECT SUM(pg_database_size(datname))::text AS bytes FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility')");
        const bytes = Number(rows[0]!.bytes);
        return { fileBytes: bytes, usedBytes: bytes };
      } finally {
        await client.end();
      }
    }
    const server = this.server;
    const fileBytes = ['', '-wal'].reduce((sum, suffix) => sum + (fs.statSync(server.db + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    const db = new DatabaseSync(server.db, { readOnly: true });
    try {
      const pragma = (name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0]);
      return { fileBytes, usedBytes: (pragma('page_count') - pragma('freelist_count')) * pragma('page_size') };
    } finally {
      db.close();
    }
  }

  /** The processes both paths run on, for the CPU an enrol phase costs: Temporal (and its own PostgreSQL, on the cluster) and the store. */
  sharedProcesses(): Array<[CpuPart, number]> {
    const shared: Array<[CpuPart, number]> = [['Temporal server', this.server.pid], ['store (PostgreSQL)', this.storePid()]];
    const clusterDb = this.server.kind === 'cluster' ? postmasterPid(path.join(this.config.dataDir, 'cluster', 'postgres')) : undefined;
    if (clusterDb !== undefined) shared.push(["Temporal's PostgreSQL", clusterDb]);
    return shared;
  }

  /** The embedded PostgreSQL's postmaster (its backends are its children): for its memory and CPU. */
  storePid(): number {
    const pid = postmasterPid(this.config.store.embedded.dir);
    if (pid === undefined) throw new Error(`the bench's embedded PostgreSQL in ${this.config.store.embedded.dir} is not running`);
    return pid;
  }

  /** The bench database's size as PostgreSQL counts it (tables and indexes of both paths; not the WAL). */
  async storeBytes(): Promise<number> {
    return Number((await this.store.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes')).rows[0]!.bytes);
  }

  /** What Temporal runs as, for the report: the dev server with its SQLite journal mode (the pragmas' effect), or the cluster. */
  serverShape(): string {
    if (this.server.kind === 'cluster') return `Temporal cluster 1.29.1 on PostgreSQL, ${this.server.shards} history shards`;
    const db = new DatabaseSync(this.server.db, { readOnly: true });
    try {
      return `Temporal dev server, SQLite journal_mode=${String(Object.values(db.prepare('PRAGMA journal_mode').get() ?? {})[0])}`;
    } finally {
      db.close();
    }
  }

  /** Stops what was started, newest first; one failure does not keep the rest running. */
  async stop(): Promise<void> {
    for (let stop = this.stops.pop(); stop; stop = this.stops.pop()) {
      await stop().catch((err: unknown) => console.error(`while stopping: ${(err as Error).message}`));
    }
  }
}

async function withGrace(stopping: Promise<void>, graceMs: number, force: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([stopping, new Promise<void>((resolve) => (timer = setTimeout(() => (force(), resolve()), graceMs)))]);
  clearTimeout(timer);
}

/**
 * Runs `bench` on a fresh stack and always cleans up: when it ends, fails, or on Ctrl-C/SIGTERM
 * (exit code 130 then). Returns the process exit code.
 *
 * The first signal stops everything in order (mid-start, once the start is done: the embedded
 * PostgreSQL and the dev server run detached, so a Ctrl-C never reaches them); a later one exits at
 * once, and the exit handlers kill the servers and remove the folder. A signal within
 * WAYMARK_DEV_REPEAT_SIGNAL_GAP of the first is the same Ctrl-C: npm forwards it to its script.
 */
export async function withStack(overrides: Record<string, string>, say: (line: string) => void, bench: (stack: Stack) => Promise<number>, temporalKind: 'dev' | 'cluster' = 'dev'): Promise<number> {
  const { repeatSignalGapMs } = loadConfig(process.env, overrides).dev;
  const starting = Stack.start(overrides, say, temporalKind);
  let stopping: Promise<never> | undefined;
  let firstAt: number | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      say(`\n${signal}: stopping the bench's processes and removing its data folder (again to exit at once)...`);
      stopping = starting.then((stack) => stack.stop(), () => undefined).finally(() => process.exit(130)) as Promise<never>;
    } else if (Date.now() - firstAt >= repeatSignalGapMs) {
      say(`${signal} again: exiting now.`);
      process.exit(130);
    }
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  const stack = await starting;
  if (stopping) return stopping; // interrupted mid-start: no phase begins
  try {
    return await bench(stack);
  } catch (err) {
    // Interrupted, the bench fails as its processes go: the stop, not that error, ends the run.
    if (stopping) await stopping;
    throw err;
  } finally {
    await stack.stop();
  }
}
