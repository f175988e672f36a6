import os from 'node:os';
import { temporal } from '@temporalio/proto';
import { startApiProcess } from '../../bench/api-process';
import { benchStoreEnv, postmasterPid } from '../../bench/bench-store';
import { startChild, type Child } from '../../bench/children';
import type { Stack } from '../../bench/stack';
import { freePort } from '../../src/free-port';
import { startOrReuseEmbedded } from '../../src/store/embedded';
import { startDevServer, type LocalServer } from '../../src/temporal/dev-server';
import { gone, pause, signal, treeOf } from './pids';
import { Supervised } from './supervised';

export interface FleetOptions {
  taskQueue: string;
  /** Settings for the worker only (the Braze channel, its shutdown grace). */
  workerEnv: Record<string, string>;
  downMs: number;
  startTimeoutMs: number;
  say: (line: string) => void;
  clock: () => string;
}

/**
 * The processes of one scenario on top of a bench Stack (dev server and embedded PostgreSQL): a
 * journeys worker and the event API, both supervised, and the kills of the Stack's own servers,
 * each started again in place (same port, same files). stop() ends what it started; the Stack
 * ends the rest.
 */
export class Fleet {
  readonly worker: Supervised;
  readonly api: Supervised;
  /** The dev server started again after a kill (the Stack only knows the first one). */
  private restartedServer?: LocalServer & { process: NonNullable<LocalServer['process']> };
  private temporalPid: number;

  private constructor(
    private readonly stack: Stack,
    private readonly opts: FleetOptions,
    /** Fixed for the run, so the sender finds a restarted API where it was. */
    readonly apiPort: number,
  ) {
    this.temporalPid = stack.server.pid;
    const supervision = { downMs: opts.downMs, exitTimeoutMs: opts.startTimeoutMs, say: opts.say, clock: opts.clock };
    this.worker = new Supervised('journeys worker', () => this.launchWorker(), supervision);
    this.api = new Supervised('event API', async () => (await this.launchApi()).child, supervision);
    process.on('exit', this.killOnExit);
  }

  /** Should the tool exit before stop(), a dev server it started again must not outlive it. */
  private readonly killOnExit = () => this.restartedServer?.process.kill('SIGKILL');

  static async create(stack: Stack, opts: FleetOptions): Promise<Fleet> {
    return new Fleet(stack, opts, await freePort());
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** The environment of a child: the user's, pointed at the stack (as bench/stack.ts does for its children). */
  private env(extra: Record<string, string>): NodeJS.ProcessEnv {
    const { temporal: t, dataDir, store } = this.stack.config;
    return {
      ...process.env,
      WAYMARK_TEMPORAL_ADDRESS: t.address,
      WAYMARK_TEMPORAL_NAMESPACE: t.namespace,
      WAYMARK_JOURNEY_TASK_QUEUE: this.opts.taskQueue,
      WAYMARK_DATA_DIR: dataDir,
      ...benchStoreEnv(store.embedded.port),
      WAYMARK_DB_MIGRATE_ON_START: 'never',
      WAYMARK_PUBLISH_ON_START: 'false',
      // The local channel unless the scenario says Braze: a kill run must never reach a real Braze.
      WAYMARK_BRAZE_URL: '',
      WAYMARK_LOG_LEVEL: 'warn',
      WAYMARK_LOG_FORMAT: 'json',
      ...extra,
    };
  }

  /** workers/main.ts; up once a poller with its pid is on the task queue (a killed worker's poller stays listed for minutes). */
  private async launchWorker(): Promise<Child> {
    const { stopGraceMs } = this.stack.config.bench;
    const child = startChild('journeys worker', 'workers/main.ts', this.env(this.opts.workerEnv), stopGraceMs);
    const deadline = Date.now() + this.opts.startTimeoutMs;
    const identities = () => treeOf(child.pid).map((pid) => `${pid}@${os.hostname()}`);
    try {
      while (!(await this.polledBy(identities()))) {
        if (Date.now() > deadline) throw new Error(`the journeys worker did not poll ${this.opts.taskQueue} within ${this.opts.startTimeoutMs / 1000}s (--start-timeout):\n${child.tail()}`);
        await Promise.race([pause(250), child.died]);
      }
    } catch (err) {
      await child.stop();
      throw err;
    }
    return child;
  }

  private async polledBy(identities: string[]): Promise<boolean> {
    try {
      const { pollers } = await this.stack.client.workflowService.describeTaskQueue({
        namespace: this.stack.config.temporal.namespace,
        taskQueue: { name: this.opts.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (pollers ?? []).some((p) => identities.includes(p.identity ?? ''));
    } catch {
      return false; // Temporal is down or restarting
    }
  }

  private launchApi() {
    const { stopGraceMs } = this.stack.config.bench;
    return startApiProcess(this.env({ WAYMARK_API_HOST: '127.0.0.1', WAYMARK_API_PORT: String(this.apiPort) }), stopGraceMs, this.opts.startTimeoutMs);
  }

  /** SIGKILL of the dev server; started again on the same port and SQLite file (--db-filename) after `downMs`. */
  async killTemporal(): Promise<string> {
    const pid = this.temporalPid;
    if (!signal(pid, 'SIGKILL')) throw new Error(`the Temporal dev server (pid ${pid}) was not running`);
    if (!(await gone(pid, this.opts.startTimeoutMs))) throw new Error(`the Temporal dev server (pid ${pid}) still runs after SIGKILL`);
    await pause(this.opts.downMs);
    const { config } = this.stack;
    const started = await startDevServer({ ...config, temporal: { ...config.temporal, devServerStartTimeoutMs: this.opts.startTimeoutMs } }, () => undefined);
    this.restartedServer = started;
    this.temporalPid = started.process.pid!;
    return `SIGKILL Temporal dev server pid ${pid}; started again as pid ${this.temporalPid} on ${config.temporal.address} with ${started.db}, up at ${this.opts.clock()}`;
  }

  /**
   * SIGKILL of the embedded PostgreSQL's postmaster (its pid from postmaster.pid in the stack's
   * data folder), then a start on the same data directory and port, tried until it works: the
   * killed postmaster's backends hold its shared memory until they notice it died.
   */
  async killPostgres(): Promise<string> {
    const { embedded } = this.stack.config.store;
    const pid = postmasterPid(embedded.dir);
    if (pid === undefined || !signal(pid, 'SIGKILL')) throw new Error(`no embedded PostgreSQL runs in ${embedded.dir}`);
    if (!(await gone(pid, this.opts.startTimeoutMs))) throw new Error(`the postmaster (pid ${pid}) still runs after SIGKILL`);
    await pause(this.opts.downMs);
    const deadline = Date.now() + this.opts.startTimeoutMs;
    let tries = 0;
    for (;;) {
      tries++;
      try {
        await startOrReuseEmbedded({ ...embedded, startTimeoutMs: Math.max(1_000, deadline - Date.now()) });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the embedded PostgreSQL did not start again within ${this.opts.startTimeoutMs / 1000}s (--start-timeout): ${(err as Error).message}`);
        await pause(1_000);
      }
    }
    return `SIGKILL postmaster pid ${pid}; started again as pid ${postmasterPid(embedded.dir)} on port ${embedded.port} (${tries} ${tries === 1 ? 'try' : 'tries'}), up at ${this.opts.clock()}`;
  }

  /** The worker and API first (while Temporal is there to drain against), then a restarted dev server. */
  async stop(): Promise<void> {
    await Promise.all([this.worker.stop(), this.api.stop()]);
    const server = this.restartedServer;
    if (server && server.process.exitCode === null) {
      await Promise.race([server.stop(), pause(this.stack.config.bench.stopGraceMs)]);
      server.process.kill('SIGKILL');
    }
    process.off('exit', this.killOnExit);
  }
}
