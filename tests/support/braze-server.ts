import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseJson, ScriptedServer, sendJson as send, type ArrivedRequest } from './scripted-server';

/** How the server answers one request; requests with nothing scripted succeed. */
export type BrazeAnswer =
  /** 2xx with Braze's documented body for the endpoint (or `body`). */
  | { kind: 'success'; body?: unknown }
  /** 429 with x-ratelimit-reset at `resetAt` (epoch seconds); omitted when undefined. */
  | { kind: 'rate_limited'; resetAt?: number }
  | { kind: 'server_error'; status?: number }
  /** A 4xx with Braze's error body. */
  | { kind: 'rejected'; status?: number; message: string; errors?: unknown[] }
  /** `then` (success by default), after `delayMs`: longer than the client's timeout, it never arrives. */
  | { kind: 'slow'; delayMs: number; then?: BrazeAnswer }
  /** A 2xx whose body is not JSON (a proxy's page, a truncated answer). */
  | { kind: 'invalid_json' };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** When its body had arrived (epoch ms). */
  at: number;
  /** The dispatch_id answered, for the sending endpoints. */
  dispatchId?: string;
}

const DISPATCHING = new Set(['/messages/send', '/campaigns/trigger/send', '/canvas/trigger/send']);
const ENDPOINTS = new Set([...DISPATCHING, '/users/track', '/subscription/status/set', '/users/delete']);
/** The hourly limit the rate limit headers report; the values only need to look like Braze's. */
const LIMIT = 250_000;

/**
 * A Braze-compatible REST server on loopback for tests and the bench: the six endpoints Waymark
 * calls, Bearer key checked, Braze's answer shapes, and a script of failures per request. It
 * records every request as received, so tests assert on the real bodies and headers.
 */
export class BrazeServer extends ScriptedServer<BrazeAnswer> {
  readonly received: ReceivedRequest[] = [];

  private constructor(readonly apiKey: string) {
    super();
  }

  static start(apiKey = 'braze-test-key'): Promise<BrazeServer> {
    return new BrazeServer(apiKey).listen();
  }

  /** Requests received on one endpoint. */
  on(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  protected respond({ method, path, headers, raw, at }: ArrivedRequest, next: BrazeAnswer | undefined, res: http.ServerResponse): void {
    const record: ReceivedRequest = { method, path, headers, body: parseJson(raw), at };
    this.received.push(record);
    if (method !== 'POST' || !ENDPOINTS.has(path)) return send(res, 404, { message: `no such endpoint: ${method} ${path}` });
    if (headers.authorization !== `Bearer ${this.apiKey}`) return send(res, 401, { message: 'Invalid API key: the key is missing or not valid for this workspace' });
    if (record.body === undefined) return send(res, 400, { message: 'Invalid JSON in the request body' });
    this.answer(next ?? { kind: 'success' }, record, res);
  }

  private answer(answer: BrazeAnswer, record: ReceivedRequest, res: http.ServerResponse): void {
    switch (answer.kind) {
      case 'success':
        return send(res, 201, answer.body ?? successBody(record), limitHeaders());
      case 'rate_limited':
        return send(res, 429, { message: 'API rate limit exceeded for this endpoint' }, answer.resetAt === undefined ? {} : { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(answer.resetAt) });
      case 'server_error':
        return send(res, answer.status ?? 500, { message: 'Internal server error' });
      case 'rejected':
        return send(res, answer.status ?? 400, { message: answer.message, ...(answer.errors ? { errors: answer.errors } : {}) });
      case 'invalid_json':
        res.writeHead(201, { 'content-type': 'application/json' });
        return void res.end('{"dispatch_id": "trunc');
      case 'slow':
        return this.later(answer.delayMs, res, () => this.answer(answer.then ?? { kind: 'success' }, record, res));
    }
  }
}

function successBody(record: ReceivedRequest): unknown {
  if (DISPATCHING.has(record.path)) {
    record.dispatchId = `dispatch-${randomUUID()}`;
    return { dispatch_id: record.dispatchId, message: 'success' };
  }
  const body = record.body as Record<string, unknown[] | undefined>;
  if (record.path === '/users/track') {
    return { message: 'success', attributes_processed: body.attributes?.length ?? 0, events_processed: body.events?.length ?? 0, purchases_processed: body.purchases?.length ?? 0 };
  }
  if (record.path === '/users/delete') return { message: 'success', deleted: body.external_ids?.length ?? 0 };
  return { message: 'success' };
}

/** Braze's rate limit headers on a success: the hourly window ends at the next full hour. */
function limitHeaders(): Record<string, string> {
  return { 'x-ratelimit-limit': String(LIMIT), 'x-ratelimit-remaining': String(LIMIT - 1), 'x-ratelimit-reset': String(Math.ceil(Date.now() / 3_600_000) * 3_600) };
}
