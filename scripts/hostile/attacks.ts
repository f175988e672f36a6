import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import type { Recorder } from './recorder';

export interface Target {
  url: string;
  key: string;
  config: Config;
  rec: Recorder;
}

/** One kind of hostile request, sent by `concurrency` loops until the run ends. */
export interface Attack {
  name: string;
  concurrency: number;
  once(n: number): Promise<void>;
}

/**
 * Client addresses as a proxy would forward them (the run trusts one proxy hop), so that one
 * machine can play many clients; each attack has its own range.
 */
const address = (range: number, n: number) => `10.${range}.${(n >> 8) & 255}.${n & 255}`;

/** Sends one request and records its status and answer size; a refused connection is recorded by its error code. */
function send(t: Target, agent: http.Agent, attack: string, req: { method?: string; path: string; from: string; key?: string; body?: Buffer | string; headers?: Record<string, string> }): Promise<void> {
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const { hostname, port } = new URL(t.url);
  const headers: Record<string, string | number> = { 'x-forwarded-for': req.from, authorization: `Bearer ${req.key ?? t.key}`, ...req.headers };
  if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
  const route = req.path.startsWith('/v1/events/batch') ? 'batch' : 'other';
  return new Promise((resolve) => {
    const r = http.request({ hostname, port, path: req.path, method: req.method ?? 'POST', agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        t.rec.record(attack, res.statusCode ?? 0, bytes, route);
        resolve();
      });
      res.on('error', () => resolve());
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      t.rec.record(attack, err.code ?? 'error');
      resolve();
    });
    r.end(body);
  });
}

const event = (over: Record<string, unknown> = {}) => ({ messageId: randomUUID(), type: 'signed_up', customerId: `hostile-${randomUUID().slice(0, 8)}`, timestamp: new Date().toISOString(), ...over });
/** The event as JSON text with `fields` spliced in raw: JSON.stringify cannot write duplicate keys or 1e309. */
const spliced = (fields: string) => JSON.stringify(event()).replace(/}$/, `,${fields}}`);

export function attacks(t: Target): Attack[] {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const { maxBodyBytes, maxBatchSize } = t.config.api;
  const fill = (unit: (i: number) => string, bytes: number) => {
    const parts: string[] = [];
    for (let i = 0, size = 0; size < bytes; i++) size += (parts[i] = unit(i)).length + 1;
    return parts.join(',');
  };
  // Built once: the run measures the API, not how fast this process writes JSON.
  const unknownFields = Buffer.from(spliced(fill((i) => `"unknown_field_${i}":${i}`, maxBodyBytes - 2_000)));
  const deep = Buffer.from('['.repeat(maxBodyBytes / 2) + ']'.repeat(maxBodyBytes / 2));
  const ambiguous = [
    spliced('"type":"account_deleted"'),
    spliced('"properties":{"orderId":12345678901234567890}'),
    spliced('"properties":{"score":1e309}'),
    spliced('"properties":{"__proto__":{"admin":true}}'),
    JSON.stringify(event({ timestamp: '0000-01-01T00:00:00Z' })),
  ];
  const tooManyItems = Buffer.from(JSON.stringify({ events: Array.from({ length: maxBatchSize + 1 }, () => event()) }));
  const badItems = Buffer.from(JSON.stringify({ events: Array.from({ length: maxBatchSize }, (_, i) => ({ ...event(), ...Object.fromEntries(Array.from({ length: 8 }, (__, k) => [`${'k'.repeat(80)}${k}`, i])) })) }));
  const oversized = Buffer.alloc(2 * maxBodyBytes, 0x20);

  return [
    { name: 'unknown fields (1 MB)', concurrency: 1, once: (n) => send(t, agent, 'unknown fields (1 MB)', { path: '/v1/events', from: address(1, n), body: unknownFields }) },
    { name: 'deep nesting (1 MB)', concurrency: 1, once: (n) => send(t, agent, 'deep nesting (1 MB)', { path: '/v1/events', from: address(2, n), body: deep }) },
    { name: 'ambiguous JSON', concurrency: 1, once: (n) => send(t, agent, 'ambiguous JSON', { path: '/v1/events', from: address(3, n), body: ambiguous[n % ambiguous.length] }) },
    // Twelve guesses per address: the lockout should answer the last ones with 429.
    { name: 'unknown keys', concurrency: 1, once: (n) => send(t, agent, 'unknown keys', { path: '/v1/events', from: address(4, Math.floor(n / 12)), key: randomUUID(), body: '{}' }) },
    { name: 'flood from one address', concurrency: 1, once: () => send(t, agent, 'flood from one address', { path: '/v1/events', from: '10.5.0.1', body: '{}' }) },
    { name: 'oversized batches', concurrency: 1, once: (n) => send(t, agent, 'oversized batches', { path: '/v1/events/batch', from: address(6, n), body: n % 2 ? tooManyItems : badItems }) },
    { name: 'huge paths (15 KB)', concurrency: 1, once: (n) => send(t, agent, 'huge paths (15 KB)', { method: 'GET', path: `/v1/${'p'.repeat(15_000)}`, from: address(7, n) }) },
    { name: 'body over the limit', concurrency: 1, once: (n) => send(t, agent, 'body over the limit', { path: '/v1/events', from: address(8, n), body: oversized }) },
    {
      name: 'valid, duplicate, conflicting',
      concurrency: 1,
      once: async (n) => {
        const e = event({ properties: { n } });
        for (const body of [e, e, { ...e, properties: { n: -1 } }]) await send(t, agent, 'valid, duplicate, conflicting', { path: '/v1/events', from: address(9, n), body: JSON.stringify(body) });
      },
    },
  ];
}
