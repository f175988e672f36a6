import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { CustomerEvent } from '../../src/events/schema';
import { makeEvent } from '../support/harness';
import { apiOnDevServer, captureLogger, KEY, METRICS_ONLY_KEY, routerExists, workflowsOf } from '../support/api';

const MAX_BODY = 4_096;
const MAX_BATCH = 5;
const EMAIL = 'private.person@example.com';
const PHONE = '+14155550123';

type Body = string | Buffer | ReadableStream | Record<string, unknown> | unknown[] | null;

interface Case {
  name: string;
  route?: string;
  method?: string;
  headers?: Record<string, string>;
  /** The request body, built from a valid event of this case's customer. */
  body: (valid: CustomerEvent) => Body;
  status: number;
  code: string;
  path: string;
  /** What the message must name when the path is empty (the whole body). */
  mentions?: string;
}

const omit = (e: CustomerEvent, key: keyof CustomerEvent) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));
const chunked = (text: string) =>
  new ReadableStream({
    start(controller) {
      for (let i = 0; i < text.length; i += 1_024) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 1_024)));
      controller.close();
    },
  });

const CASES: Case[] = [
  { name: 'no API key', headers: { authorization: '' }, body: (e) => e, status: 401, code: 'API_KEY_MISSING', path: 'headers.authorization' },
  { name: 'unknown API key', headers: { authorization: 'Bearer not-a-key' }, body: (e) => e, status: 401, code: 'API_KEY_INVALID', path: 'headers.authorization' },
  { name: 'unknown key in X-API-Key', headers: { authorization: '', 'x-api-key': `${KEY}x` }, body: (e) => e, status: 401, code: 'API_KEY_INVALID', path: 'headers.authorization' },
  { name: 'Basic instead of Bearer', headers: { authorization: `Basic ${Buffer.from(`u:${KEY}`).toString('base64')}` }, body: (e) => e, status: 401, code: 'API_KEY_MISSING', path: 'headers.authorization' },
  { name: 'key without the events scope', headers: { authorization: `Bearer ${METRICS_ONLY_KEY}` }, body: (e) => e, status: 403, code: 'API_KEY_FORBIDDEN', path: 'headers.authorization' },
  { name: 'text/plain content type', headers: { 'content-type': 'text/plain' }, body: (e) => JSON.stringify(e), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', path: 'headers.content-type' },
  { name: 'form content type', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: () => 'type=signed_up', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', path: 'headers.content-type' },
  { name: 'truncated JSON', body: (e) => JSON.stringify(e).slice(0, 20), status: 400, code: 'INVALID_JSON', path: '', mentions: 'body' },
  { name: 'empty body', body: () => '', status: 400, code: 'INVALID_JSON', path: '', mentions: 'body' },
  { name: 'invalid UTF-8', body: (e) => Buffer.concat([Buffer.from(JSON.stringify(e).slice(0, -1)), Buffer.from([0xc3, 0x28]), Buffer.from('}')]), status: 400, code: 'INVALID_ENCODING', path: '', mentions: 'UTF-8' },
  { name: 'huge body (Content-Length)', body: (e) => JSON.stringify({ ...e, properties: { blob: 'x'.repeat(1_000_000) } }), status: 413, code: 'BODY_TOO_LARGE', path: '', mentions: String(MAX_BODY) },
  { name: 'huge body (chunked)', body: (e) => chunked(JSON.stringify({ ...e, properties: { blob: 'x'.repeat(3 * MAX_BODY) } })), status: 413, code: 'BODY_TOO_LARGE', path: '', mentions: String(MAX_BODY) },
  { name: 'body is an array', body: (e) => [e], status: 422, code: 'FIELD_TYPE', path: '', mentions: 'the body must be a JSON object' },
  { name: 'body is null', body: () => null, status: 422, code: 'FIELD_TYPE', path: '', mentions: 'the body must be a JSON object' },
  { name: 'missing messageId', body: (e) => omit(e, 'messageId'), status: 422, code: 'FIELD_REQUIRED', path: 'messageId' },
  { name: 'missing type', body: (e) => omit(e, 'type'), status: 422, code: 'FIELD_REQUIRED', path: 'type' },
  { name: 'missing customerId', body: (e) => omit(e, 'customerId'), status: 422, code: 'FIELD_REQUIRED', path: 'customerId' },
  { name: 'missing timestamp', body: (e) => omit(e, 'timestamp'), status: 422, code: 'FIELD_REQUIRED', path: 'timestamp' },
  { name: 'numeric messageId', body: (e) => ({ ...e, messageId: 42 }), status: 422, code: 'FIELD_TYPE', path: 'messageId' },
  { name: 'empty customerId', body: (e) => ({ ...e, customerId: '' }), status: 422, code: 'FIELD_TOO_SHORT', path: 'customerId' },
  { name: 'messageId of 201 characters', body: (e) => ({ ...e, messageId: 'm'.repeat(201) }), status: 422, code: 'FIELD_TOO_LONG', path: 'messageId' },
  { name: 'customerId of 1,000 characters', body: (e) => ({ ...e, customerId: 'c'.repeat(1_000) }), status: 422, code: 'FIELD_TOO_LONG', path: 'customerId' },
  { name: 'customerId with a space', body: (e) => ({ ...e, customerId: 'jane doe' }), status: 422, code: 'FIELD_FORMAT', path: 'customerId' },
  { name: 'customerId with an accent', body: (e) => ({ ...e, customerId: 'josé' }), status: 422, code: 'FIELD_FORMAT', path: 'customerId' },
  { name: 'messageId with a zero-width space', body: (e) => ({ ...e, messageId: `${e.messageId}\u200b` }), status: 422, code: 'FIELD_FORMAT', path: 'messageId' },
  { name: 'customerId with a lone surrogate', body: (e) => `{"messageId":"${e.messageId}","type":"signed_up","customerId":"a\\ud800","timestamp":"${e.timestamp}"}`, status: 422, code: 'FIELD_FORMAT', path: 'customerId' },
  { name: 'customerId in the anonymous visitors\' namespace', body: (e) => ({ ...e, customerId: 'anon:v-1' }), status: 422, code: 'FIELD_INVALID', path: 'customerId', mentions: 'must not start with "anon:"' },
  { name: 'customerId with a NUL byte', body: (e) => ({ ...e, customerId: 'a\u0000b' }), status: 422, code: 'FIELD_FORMAT', path: 'customerId' },
  { name: 'type with an emoji', body: (e) => ({ ...e, type: 'signed_up_🎉' }), status: 422, code: 'FIELD_FORMAT', path: 'type' },
  { name: 'type starting with a digit', body: (e) => ({ ...e, type: '1signed_up' }), status: 422, code: 'FIELD_FORMAT', path: 'type' },
  { name: 'unknown event type', body: (e) => ({ ...e, type: 'signed_upp' }), status: 422, code: 'EVENT_TYPE_UNKNOWN', path: 'type' },
  { name: 'timestamp without a zone', body: (e) => ({ ...e, timestamp: '2026-11-21T09:30:00' }), status: 422, code: 'FIELD_FORMAT', path: 'timestamp' },
  { name: 'timestamp on February 30', body: (e) => ({ ...e, timestamp: '2026-02-30T09:30:00Z' }), status: 422, code: 'FIELD_FORMAT', path: 'timestamp' },
  { name: 'timestamp as epoch number', body: (e) => ({ ...e, timestamp: Date.now() }), status: 422, code: 'FIELD_TYPE', path: 'timestamp' },
  { name: 'timestamp a day ahead', body: (e) => ({ ...e, timestamp: new Date(Date.now() + 86_400_000).toISOString() }), status: 422, code: 'TIMESTAMP_IN_FUTURE', path: 'timestamp' },
  { name: 'properties as an array', body: (e) => ({ ...e, properties: [1, 2] }), status: 422, code: 'FIELD_TYPE', path: 'properties' },
  { name: 'properties as a string', body: (e) => ({ ...e, properties: 'plan=pro' }), status: 422, code: 'FIELD_TYPE', path: 'properties' },
  { name: 'unknown top-level field', body: (e) => ({ ...e, userId: 'u1' }), status: 422, code: 'FIELD_UNKNOWN', path: 'userId' },
  { name: 'bad email', body: (e) => ({ ...e, context: { email: 'private.person@' } }), status: 422, code: 'FIELD_FORMAT', path: 'context.email' },
  { name: 'phone not in E.164', body: (e) => ({ ...e, context: { phone: '(415) 555-0123' } }), status: 422, code: 'FIELD_FORMAT', path: 'context.phone' },
  { name: 'unknown time zone', body: (e) => ({ ...e, context: { timezone: 'Mars/Olympus_Mons' } }), status: 422, code: 'FIELD_FORMAT', path: 'context.timezone' },
  { name: 'bad locale', body: (e) => ({ ...e, context: { locale: 'english!' } }), status: 422, code: 'FIELD_FORMAT', path: 'context.locale' },
  { name: 'unknown context field', body: (e) => ({ ...e, context: { email: EMAIL, ssn: '000' } }), status: 422, code: 'FIELD_UNKNOWN', path: 'context.ssn' },
  { name: 'traits as an array', body: (e) => ({ ...e, context: { traits: ['vip'] } }), status: 422, code: 'FIELD_TYPE', path: 'context.traits' },
  { name: 'GET on the events route', method: 'GET', body: () => null, status: 404, code: 'ROUTE_NOT_FOUND', path: '', mentions: 'GET /v1/events' },
  { name: 'empty batch', route: '/v1/events/batch', body: () => ({ events: [] }), status: 422, code: 'BATCH_EMPTY', path: 'events' },
  { name: 'batch over the limit', route: '/v1/events/batch', body: (e) => ({ events: Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ ...e, messageId: `${e.messageId}-${i}` })) }), status: 413, code: 'BATCH_TOO_LARGE', path: 'events' },
  { name: 'batch without events', route: '/v1/events/batch', body: (e) => ({ event: e }), status: 422, code: 'FIELD_REQUIRED', path: 'events' },
  { name: 'batch events as an object', route: '/v1/events/batch', body: (e) => ({ events: e }), status: 422, code: 'FIELD_TYPE', path: 'events' },
  { name: 'batch with a single event posted bare', route: '/v1/events/batch', body: (e) => [e], status: 422, code: 'FIELD_TYPE', path: '', mentions: 'the body must be a JSON object' },
  { name: 'batch whose items are all invalid', route: '/v1/events/batch', body: (e) => ({ events: [{ ...e, customerId: 'x y' }, 'signed_up'] }), status: 422, code: 'BATCH_ALL_REJECTED', path: 'events' },
];

describe('event API refusing bad input (dev server)', () => {
  const run = randomUUID().slice(0, 8);
  const logs: string[] = [];
  const stream = new PassThrough().on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;

  beforeAll(async () => {
    api = await apiOnDevServer(
      { WAYMARK_API_MAX_BODY_BYTES: String(MAX_BODY), WAYMARK_API_MAX_BATCH: String(MAX_BATCH), WAYMARK_API_REJECT_UNKNOWN_TYPES: 'true' },
      captureLogger(stream),
    );
  });
  afterAll(() => api?.close());

  const customerOf = (i: number) => `bad-${run}-${i}`;

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const valid = makeEvent('signed_up', customerOf(i), Date.now(), { context: { email: EMAIL, phone: PHONE } });
    const body = c.body(valid);
    const raw = body === null || typeof body === 'string' || Buffer.isBuffer(body) || body instanceof ReadableStream ? body : JSON.stringify(body);
    const res = await fetch(`${api.url}${c.route ?? '/v1/events'}`, {
      method: c.method ?? 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...c.headers },
      body: c.method === 'GET' ? undefined : (raw ?? 'null'),
      duplex: 'half',
    } as RequestInit);
    const json = (await res.json()) as { error: { code: string; path: string; message: string } };
    expect({ status: res.status, code: json.error?.code, path: json.error?.path }).toEqual({ status: c.status, code: c.code, path: c.path });
    expect(json.error.message).toContain(c.path || c.mentions);
  });

  it('keeps answering, started no workflow for those customers and sent nothing', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    for (let i = 0; i < CASES.length; i++) {
      expect([customerOf(i), await routerExists(api.client, customerOf(i))]).toEqual([customerOf(i), false]);
      expect(await workflowsOf(api.client, customerOf(i))).toEqual([]);
    }
    expect(await api.deps.outbox.list()).toEqual([]);
  });

  it('logs refusals and accepted events without keys, email or phone', async () => {
    const accepted = await fetch(`${api.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(makeEvent('account_deleted', `log-${run}`, Date.now(), { context: { email: EMAIL, phone: PHONE } })),
    });
    expect(accepted.status).toBe(202);
    const text = logs.join('');
    expect(text).toContain('API_KEY_INVALID');
    expect(text).toContain('"status":202');
    for (const secret of [KEY, METRICS_ONLY_KEY, EMAIL, PHONE, 'not-a-key']) expect(text).not.toContain(secret);
  });
});
