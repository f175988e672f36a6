import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

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
export class BrazeServer {
  readonly received: ReceivedRequest[] = [];
  private readonly script: BrazeAnswer[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private constructor(
    private readonly server: http.Server,
    readonly apiKey: string,
  ) {}

  static async start(apiKey = 'braze-test-key'): Promise<BrazeServer> {
    const server = http.createServer();
    const braze = new BrazeServer(server, apiKey);
    server.on('request', (req, res) => braze.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return braze;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests' answers, in order. */
  answerNext(...answers: BrazeAnswer[]): void {
    this.script.push(...answers);
  }

  /** Requests received on one endpoint. */
  on(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const record: ReceivedRequest = { method: req.method ?? '', path, headers: req.headers, body: parseJson(Buffer.concat(chunks).toString('utf8')), at: Date.now() };
      this.received.push(record);
      if (req.method !== 'POST' || !ENDPOINTS.has(path)) return send(res, 404, { message: `no such endpoint: ${req.method} ${path}` });
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) return send(res, 401, { message: 'Invalid API key: the key is missing or not valid for this workspace' });
      if (record.body === undefined) return send(res, 400, { message: 'Invalid JSON in the request body' });
      this.answer(this.script.shift() ?? { kind: 'success' }, record, res);
    });
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
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) this.answer(answer.then ?? { kind: 'success' }, record, res);
        }, answer.delayMs);
        this.timers.add(timer);
      }
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

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
