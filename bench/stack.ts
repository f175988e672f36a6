import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { loadConfig, type Config } from '../src/config';
import { startDevServer } from '../src/temporal/dev-server';
import { startApiProcess, type ApiProcess } from './api-process';
import { startChild, type Child } from './children';
import { freePort } from '../src/free-port';

/** A worker process the bench started, with the URL of its Temporal SDK metrics. */
export interface WorkerProcess {
  child: Child;
  taskQueue: string;
  metricsUrl: string;
}

/**
 * What a bench runs on: a fresh dev server started exactly as `npm run dev` starts it
 * (startDevServer: file-persisted, same SQLite pragmas) in a temporary data folder, and the
 * processes the bench adds to it. stop() ends them all and removes the folder; it is safe to
 * call twice and on Ctrl-C.
 */
export class Stack {
  private readonly stops: Array<() => Promise<void>> = [];
  private constructor(
    readonly config: Config,
    readonly client: Client,
    readonly server: { pid: number; db: string },
  ) {}

  static async start(overrides: Record<string, string>, say: (line: string) => void): Promise<Stack> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-'));
    let server: Awaited<ReturnType<typeof startDevServer>> | undefined;
    // Whatever way the bench ends (a bad setting, an uncaught error), the server and the folder go with it.
    process.on('exit', () => (server?.process.kill('SIGKILL'), fs.rmSync(dataDir, { recursive: true, force: true })));
    const config = loadConfig(process.env, {
      WAYMARK_LOG_LEVEL: 'error',
      WAYMARK_DATA_DIR: dataDir,
      WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      WAYMARK_TEMPORAL_UI_PORT: String(await freePort()),
      ...overrides,
    });
    const started = (server = await startDevServer(config, say));
    const stopServer = () => withGrace(started.stop(), config.bench.stopGraceMs, () => started.process.kill('SIGKILL'));
    const removeDir = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    const connection = await Connection.connect({ address: config.temporal.address });
    const stack = new Stack(config, new Client({ connection, namespace: config.temporal.namespace }), { pid: started.process.pid!, db: started.db });
    stack.stops.push(removeDir, stopServer, () => connection.close());
    return stack;
  }

  /** The environment of a bench child: the user's, pointed at this stack. */
  private childEnv(taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const { temporal, dataDir } = this.config;
    return {
      ...process.env,
      WAYMARK_TEMPORAL_ADDRESS: temporal.address,
      WAYMARK_TEMPORAL_NAMESPACE: temporal.namespace,
      WAYMARK_JOURNEY_TASK_QUEUE: taskQueue,
      WAYMARK_DATA_DIR: dataDir,
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
  dbSize(): { fileBytes: number; usedBytes: number } {
    const fileBytes = ['', '-wal'].reduce((sum, suffix) => sum + (fs.statSync(this.server.db + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    const db = new DatabaseSync(this.server.db, { readOnly: true });
    try {
      const pragma = (name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0]);
      return { fileBytes, usedBytes: (pragma('page_count') - pragma('freelist_count')) * pragma('page_size') };
    } finally {
      db.close();
    }
  }

  /** The journal mode the server's database runs in (the pragmas' effect, shown in the report). */
  journalMode(): string {
    const db = new DatabaseSync(this.server.db, { readOnly: true });
    try {
      return String(Object.values(db.prepare('PRAGMA journal_mode').get() ?? {})[0]);
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
 */
export async function withStack(overrides: Record<string, string>, say: (line: string) => void, bench: (stack: Stack) => Promise<number>): Promise<number> {
  const stack = await Stack.start(overrides, say);
  let stopping: Promise<never> | undefined;
  const interrupted = (signal: string) => {
    say(`\n${signal}: stopping the bench's processes and removing ${stack.config.dataDir}...`);
    stopping ??= stack.stop().finally(() => process.exit(130)) as Promise<never>;
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
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
