import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { track } from './cleanup';

/** A request as it arrived, its body read whole. */
export interface ArrivedRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  raw: string;
  /** When its body had arrived (epoch ms). */
  at: number;
}

/**
 * The plumbing of a provider-compatible server on loopback (tests/support/braze-server.ts,
 * gemini-server.ts, hightouch-server.ts): it listens on a free port, reads each body whole, hands it to the subclass
 * with the next scripted answer, and delays answers on timers that close() clears.
 */
export abstract class ScriptedServer<Answer> {
  private readonly server = http.createServer((req, res) => this.read(req, res));
  private readonly script: Answer[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Answers one request; `next` is the scripted answer, or undefined when none is left. */
  protected abstract respond(request: ArrivedRequest, next: Answer | undefined, res: http.ServerResponse): void;

  private untrack?: () => void;

  protected async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    // Closed by the test; if a failure skipped that, at the end of the file (tests/support/cleanup.ts).
    this.untrack = track(`${this.constructor.name} at ${this.url}`, () => this.close(), 'server');
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests' answers, in order. */
  answerNext(...answers: Answer[]): void {
    this.script.push(...answers);
  }

  /** Drops the answers not given yet: the next requests get the default answer. */
  clearScript(): void {
    this.script.length = 0;
  }

  /** Runs `answer` after `delayMs`, unless the client has gone (a timeout on its side) or the server closed. */
  protected later(delayMs: number, res: http.ServerResponse, answer: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) answer();
    }, delayMs);
    this.timers.add(timer);
  }

  /** Stops listening and drops every connection; again is a no-op. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.untrack?.();
  }

  private read(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const [path, query] = (req.url ?? '').split('?');
      const request = { method: req.method ?? '', path: path!, query: new URLSearchParams(query), headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      this.respond(request, this.script.shift(), res);
    });
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
