import type http from 'node:http';
import { parseJson, ScriptedServer, sendJson as send, type ArrivedRequest } from './scripted-server';

/** How the server answers one request; requests with nothing scripted get Hightouch's answer. */
export type HightouchAnswer =
  /** Hightouch's answer, as with nothing scripted. */
  | { kind: 'usual' }
  /** 200 with this body (a run in a state the test chooses). */
  | { kind: 'ok'; body: unknown }
  /** 429, with Retry-After in seconds when given. */
  | { kind: 'rate_limited'; retryAfterSeconds?: number }
  | { kind: 'server_error'; status?: number }
  /** A 4xx with Hightouch's error body. */
  | { kind: 'rejected'; status: number; body: unknown }
  /** Hightouch acts at once (a trigger starts its run) and answers after `delayMs`: longer than the client's timeout, the answer is lost. */
  | { kind: 'slow'; delayMs: number }
  /** A 2xx whose body is not JSON (a proxy's page, a truncated answer). */
  | { kind: 'invalid_json' };

/** A run as the server keeps it. */
export interface ServerRun {
  id: number;
  syncId: string;
  status: string;
  createdAt: string;
  /** Started by the API's trigger (not Hightouch's own schedule, nor a person). */
  triggered: boolean;
  /** Status looks so far. */
  polls: number;
  /** Held: in progress until finish() (or fail()). */
  held: boolean;
  /** Ends failed with this error. */
  failWith?: string;
  error: string | null;
  finishedAt?: string;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const TRIGGER = /^\/api\/v1\/syncs\/([^/]+)\/trigger$/;
const RUNS = /^\/api\/v1\/syncs\/([^/]+)\/runs$/;
/** A triggered run's statuses, one per look at it; a run not held ends at the look after the last. */
const PROGRESS = ['queued', 'processing'];

/**
 * A server on loopback with the parts of Hightouch's REST API (v1) that Waymark calls: trigger a
 * sync's run, and list its runs (newest first by `orderBy`, one by `runId`, `limit`), bearer token
 * checked, Hightouch's answer shapes. Runs move on when they are looked at, not with time: a
 * triggered run is queued, processing at its first look and ends at the next (a success of
 * `rows` rows, or failed with the reason given to failNextRun). A test can start a run
 * as Hightouch's own schedule would and hold it in progress until it says, fail a run, script
 * HTTP failures, and count triggers.
 */
export class HightouchServer extends ScriptedServer<HightouchAnswer> {
  readonly received: ReceivedRequest[] = [];
  readonly runs: ServerRun[] = [];
  private nextId = 1000;
  private readonly failNext = new Map<string, string>();

  private constructor(
    readonly token: string,
    readonly syncIds: readonly string[],
    /** Rows a successful run synced. */
    readonly rows: number,
  ) {
    super();
  }

  static start(options: { token?: string; syncIds?: string[]; rows?: number } = {}): Promise<HightouchServer> {
    return new HightouchServer(options.token ?? 'hightouch-test-token', options.syncIds ?? ['11', '12'], options.rows ?? 120).listen();
  }

  /** Runs the API triggered for the sync. */
  triggers(syncId: string): number {
    return this.runs.filter((r) => r.syncId === syncId && r.triggered).length;
  }

  /** Looks at one run's status (GET runs?runId=). */
  polls(runId: string): number {
    return this.runs.find((r) => String(r.id) === runId)?.polls ?? 0;
  }

  /** A run started outside the API (the sync's own schedule, a person in Hightouch's UI), in progress until finish(). */
  startRun(syncId: string): string {
    return String(this.add(syncId, false, true, 'processing').id);
  }

  /** A held run ends at its next look: a success, or failed with `error`. */
  finish(runId: string, error?: string): void {
    const run = this.runs.find((r) => String(r.id) === runId);
    if (!run) throw new Error(`no run ${runId}`);
    run.held = false;
    if (error !== undefined) run.failWith = error;
  }

  /** The next run triggered for the sync fails with `error` when it ends. */
  failNextRun(syncId: string, error: string): void {
    this.failNext.set(syncId, error);
  }

  protected respond({ method, path, query, headers, raw }: ArrivedRequest, next: HightouchAnswer | undefined, res: http.ServerResponse): void {
    this.received.push({ method, path, query, headers, body: parseJson(raw) });
    const trigger = method === 'POST' ? TRIGGER.exec(path) : null;
    const runs = method === 'GET' ? RUNS.exec(path) : null;
    if (!trigger && !runs) return send(res, 404, { message: `Cannot ${method} ${path}` });
    if (headers.authorization !== `Bearer ${this.token}`) return send(res, 401, { message: 'Unauthorized' });
    const syncId = decodeURIComponent((trigger ?? runs)![1]!);
    const usual = (): [number, unknown] => {
      if (!this.syncIds.includes(syncId)) return [404, { message: `Sync ${syncId} not found` }];
      if (trigger) return [200, { id: String(this.add(syncId, true, false, 'queued').id) }];
      return [200, this.list(syncId, query)];
    };
    switch (next?.kind) {
      case undefined:
      case 'usual':
        return send(res, ...usual());
      case 'ok':
        return send(res, 200, next.body);
      case 'rate_limited':
        return send(res, 429, { message: 'Too many requests' }, next.retryAfterSeconds === undefined ? {} : { 'retry-after': String(next.retryAfterSeconds) });
      case 'server_error':
        return send(res, next.status ?? 500, 'Internal Server Error');
      case 'rejected':
        return send(res, next.status, next.body);
      case 'invalid_json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"data": [{"id": 1');
      case 'slow': {
        const [status, body] = usual();
        return this.later(next.delayMs, res, () => send(res, status, body));
      }
    }
  }

  private add(syncId: string, triggered: boolean, held: boolean, status: string): ServerRun {
    const failWith = triggered ? this.failNext.get(syncId) : undefined;
    if (triggered) this.failNext.delete(syncId);
    const run: ServerRun = { id: this.nextId++, syncId, status, createdAt: new Date().toISOString(), triggered, polls: 0, held, error: null, ...(failWith !== undefined ? { failWith } : {}) };
    this.runs.push(run);
    return run;
  }

  private list(syncId: string, query: URLSearchParams): { data: unknown[]; hasMore: boolean } {
    const runId = query.get('runId');
    let found = this.runs.filter((r) => r.syncId === syncId && (runId === null || String(r.id) === runId));
    if (query.get('orderBy') === 'createdAt') found = [...found].reverse();
    const limit = Number(query.get('limit') ?? 100);
    if (runId !== null) found.forEach((r) => this.look(r));
    return { data: found.slice(0, limit).map((r) => this.shape(r)), hasMore: found.length > limit };
  }

  /** A look at a run moves it on. */
  private look(run: ServerRun): void {
    run.polls++;
    if (run.finishedAt) return;
    if (run.held) {
      run.status = 'processing';
      return;
    }
    const at = PROGRESS.indexOf(run.status);
    if (at >= 0 && at < PROGRESS.length - 1 && run.triggered) {
      run.status = PROGRESS[at + 1]!;
      return;
    }
    run.status = run.failWith === undefined ? 'success' : 'failed';
    run.error = run.failWith ?? null;
    run.finishedAt = new Date().toISOString();
  }

  /** A run as Hightouch lists it (ids are numbers here, strings in a trigger's answer). */
  private shape(r: ServerRun): unknown {
    const done = r.status === 'success';
    const counts = (n: number) => ({ addedCount: n, changedCount: 0, removedCount: 0 });
    return {
      id: r.id,
      createdAt: r.createdAt,
      startedAt: r.createdAt,
      finishedAt: r.finishedAt ?? null,
      querySize: this.rows,
      status: r.status,
      completionRatio: r.finishedAt ? 1 : 0.5,
      plannedRows: counts(this.rows),
      successfulRows: counts(done ? this.rows : 0),
      failedRows: counts(0),
      error: r.error,
    };
  }
}
