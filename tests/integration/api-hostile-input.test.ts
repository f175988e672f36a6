import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { CustomerEvent } from '../../src/events/schema';
import { answerLimitBytes } from '../../src/api/answer-limits';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { makeEvent } from '../support/harness';
import { eventually } from '../support/dev-server';
import { apiOnDevServer, captureLogger, KEY, post, routerExists } from '../support/api';

/**
 * Issue 12, items 2, 5, 6, 10, 11 and 12: input that is valid JSON but hostile or ambiguous.
 * Each case failed on the code before the fix: it was accepted with a changed meaning, or
 * answered with a body as large as the input, or a 500.
 */

const LIMITS = {
  WAYMARK_MAX_TRAITS: '50',
  WAYMARK_MAX_TRAIT_KEY_CHARS: '10',
  WAYMARK_MAX_TRAIT_VALUE_BYTES: '100',
  WAYMARK_MAX_PROFILE_BYTES: '1024',
  WAYMARK_MAX_PROPERTIES_BYTES: '1024',
  WAYMARK_MAX_JSON_DEPTH: '8',
  WAYMARK_API_MAX_ISSUES: '5',
  WAYMARK_API_MAX_ECHO_CHARS: '32',
  WAYMARK_API_MAX_BATCH: '500',
};
const EMAIL = 'jane.doe@example.com';

/** The event as JSON text with `fields` spliced in raw: JSON.stringify cannot write duplicate keys or 1e309. */
const raw = (e: CustomerEvent, fields: string) => JSON.stringify({ ...e, properties: undefined }).replace(/}$/, `,${fields}}`);
const traits = (n: number, valueBytes = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v'.repeat(valueBytes)]));

interface Case {
  name: string;
  body: (valid: CustomerEvent) => string;
  code: string;
  path: string;
  /** The message must name this (the limit's variable, the field). */
  mentions: string;
}

const CASES: Case[] = [
  // Item 12: what a JSON reader would silently change.
  { name: 'duplicate top-level key', body: (e) => raw(e, `"type":"account_deleted"`), code: 'JSON_DUPLICATE_KEY', path: 'type', mentions: 'twice' },
  { name: 'duplicate key written with an escape', body: (e) => raw(e, `"properties":{"plan":"pro","\\u0070lan":"free"}`), code: 'JSON_DUPLICATE_KEY', path: 'properties.plan', mentions: 'twice' },
  { name: 'integer beyond 2^53', body: (e) => raw(e, `"properties":{"orderId":12345678901234567890}`), code: 'JSON_UNSAFE_NUMBER', path: 'properties.orderId', mentions: '12345678901234567890' },
  { name: '1e309 (Infinity, later null)', body: (e) => raw(e, `"properties":{"score":1e309}`), code: 'JSON_UNSAFE_NUMBER', path: 'properties.score', mentions: '1e309' },
  { name: 'a non-zero number read as 0', body: (e) => raw(e, `"properties":{"ratio":1e-400}`), code: 'JSON_UNSAFE_NUMBER', path: 'properties.ratio', mentions: '1e-400' },
  { name: '__proto__ key', body: (e) => raw(e, `"properties":{"__proto__":{"admin":true}}`), code: 'JSON_FORBIDDEN_KEY', path: 'properties.__proto__', mentions: '__proto__' },
  { name: 'constructor key in traits', body: (e) => raw(e, `"properties":{},"context":{"traits":{"constructor":1}}`), code: 'JSON_FORBIDDEN_KEY', path: 'context.traits.constructor', mentions: 'constructor' },
  { name: 'timestamp in year 0000', body: (e) => JSON.stringify({ ...e, timestamp: '0000-01-01T00:00:00Z' }), code: 'TIMESTAMP_TOO_OLD', path: 'timestamp', mentions: 'WAYMARK_API_MIN_TIMESTAMP' },
  { name: 'timestamp in 1900', body: (e) => JSON.stringify({ ...e, timestamp: '1900-01-01T00:00:00Z' }), code: 'TIMESTAMP_TOO_OLD', path: 'timestamp', mentions: 'WAYMARK_API_MIN_TIMESTAMP' },
  // Item 6: depth, refused before parsing.
  { name: 'nesting deeper than the limit in properties', body: (e) => raw(e, `"properties":{"a":${'['.repeat(8)}${']'.repeat(8)}}`), code: 'JSON_TOO_DEEP', path: 'properties.a[0][0][0][0][0][0]', mentions: 'WAYMARK_MAX_JSON_DEPTH' },
  { name: '100,000 nested arrays', body: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`, code: 'JSON_TOO_DEEP', path: '[0][0][0][0][0][0][0][0]', mentions: 'WAYMARK_MAX_JSON_DEPTH' },
  { name: '100,000 unclosed objects', body: () => '{"a":'.repeat(100_000), code: 'JSON_TOO_DEEP', path: 'a.a.a.a.a.a.a.a', mentions: 'WAYMARK_MAX_JSON_DEPTH' },
  // Item 2: what one event may put into a customer's data.
  { name: 'too many traits', body: (e) => JSON.stringify({ ...e, context: { traits: traits(51) } }), code: 'TOO_MANY_TRAITS', path: 'context.traits', mentions: 'WAYMARK_MAX_TRAITS' },
  { name: 'trait name too long', body: (e) => JSON.stringify({ ...e, context: { traits: { favourite_colour: 'red' } } }), code: 'TRAIT_KEY_TOO_LONG', path: 'context.traits.favourite_colour', mentions: 'WAYMARK_MAX_TRAIT_KEY_CHARS' },
  { name: 'trait value too large', body: (e) => JSON.stringify({ ...e, context: { traits: { bio: 'x'.repeat(200) } } }), code: 'TRAIT_VALUE_TOO_LARGE', path: 'context.traits.bio', mentions: 'WAYMARK_MAX_TRAIT_VALUE_BYTES' },
  { name: 'traits larger than a profile', body: (e) => JSON.stringify({ ...e, context: { traits: traits(20, 90) } }), code: 'TRAITS_TOO_LARGE', path: 'context.traits', mentions: 'WAYMARK_MAX_PROFILE_BYTES' },
  { name: 'properties too large', body: (e) => JSON.stringify({ ...e, properties: { notes: 'x'.repeat(2_000) } }), code: 'PROPERTIES_TOO_LARGE', path: 'properties', mentions: 'WAYMARK_MAX_PROPERTIES_BYTES' },
];

describe('event API under hostile input (dev server)', () => {
  const run = randomUUID().slice(0, 8);
  const logs: string[] = [];
  const stream = new PassThrough().on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;

  beforeAll(async () => {
    api = await apiOnDevServer(LIMITS, captureLogger(stream));
  });
  afterAll(() => api?.close());

  const customerOf = (i: number) => `hostile-${run}-${i}`;
  const send = (path: string, body: string) => post(api.url, path, body);

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('refuses %s with 422 and starts nothing', async (_name, c, i) => {
    const res = await send('/v1/events', c.body(makeEvent('signed_up', customerOf(i), Date.now())));
    const error = res.body.error as { code: string; path: string; message: string };
    expect({ status: res.status, code: error.code, path: error.path }).toEqual({ status: 422, code: c.code, path: c.path });
    expect(error.message).toContain(c.mentions);
    expect(await routerExists(api.client, customerOf(i))).toBe(false);
  });

  it('refuses an over-limit item of a batch with the same code and accepts the rest', async () => {
    const customerId = customerOf(100);
    const res = await send('/v1/events/batch', JSON.stringify({ events: [makeEvent('page_viewed', customerId, Date.now()), makeEvent('page_viewed', customerId, Date.now(), { context: { traits: traits(51) } })] }));
    expect(res.status).toBe(207);
    expect(res.body.results).toMatchObject([{ status: 'accepted' }, { status: 'rejected', error: { code: 'TOO_MANY_TRAITS', path: 'events[1].context.traits' } }]);
  });

  it('answers 1 MB of unknown fields with a few issues and a count, not a list as long as the body (item 5)', async () => {
    const fields = Array.from({ length: 40_000 }, (_, i) => `"unknown_field_${i}":0`).join(',');
    const body = raw(makeEvent('signed_up', customerOf(101), Date.now()), fields);
    expect(body.length).toBeGreaterThan(900_000);
    const res = await send('/v1/events', body);
    const error = res.body.error as { code: string; message: string; issues: unknown[] };
    expect([res.status, error.code, error.issues.length]).toEqual([422, 'FIELD_UNKNOWN', 5]);
    expect(error.message).toContain('and 39995 more problems not listed');
    expect(res.size).toBeLessThan(4_096);
    expect(res.size).toBeLessThanOrEqual(answerLimitBytes(api.config, 'other'));
  });

  it('keeps a batch of 500 bad items within its bound, listing at most the issue budget in total (item 5)', async () => {
    const item = (i: number) => ({ ...makeEvent('signed_up', customerOf(102), Date.now()), ...Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`${'k'.repeat(100)}${k}`, i])) });
    const res = await send('/v1/events/batch', JSON.stringify({ events: Array.from({ length: 500 }, (_, i) => item(i)) }));
    const results = res.body.results as Array<{ error: { path: string; issues: unknown[] } }>;
    expect([res.status, (res.body.error as { code: string }).code, results.length]).toEqual([422, 'BATCH_ALL_REJECTED', 500]);
    expect(results.reduce((n, r) => n + r.error.issues.length, 0)).toBe(5);
    expect(results[499]!.error.path.length).toBeLessThanOrEqual(33); // the 100-character field name is clipped to 32 + "…"
    expect(res.size).toBeLessThanOrEqual(answerLimitBytes(api.config, 'batch'));
  });

  it('echoes at most a clipped piece of a 15 KB path, once per field (item 10)', async () => {
    const path = `/v1/${'p'.repeat(15_000)}`;
    const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
    const text = await res.text();
    expect(res.status).toBe(404);
    expect(text.length).toBeLessThan(1_024);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND', message: expect.stringContaining(`GET /v1/${'p'.repeat(20)}`) } });
  });

  it('never logs an email or phone number found in a field name or a path (item 10)', async () => {
    const refused = await send('/v1/events', raw(makeEvent('signed_up', customerOf(103), Date.now()), `"properties":{},"${EMAIL}":true`));
    expect((refused.body.error as { path: string }).path).toBe(EMAIL);
    const notFound = await fetch(`${api.url}/v1/people/${encodeURIComponent(EMAIL)}/+14155550123`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(notFound.status).toBe(404);
    // Under /v1/customers (the read scope's timelines) an events key is refused before any route: logged without the path's secrets too.
    const forbidden = await fetch(`${api.url}/v1/customers/${encodeURIComponent(EMAIL)}/+14155550123`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(forbidden.status).toBe(403);
    const text = logs.join('');
    expect(text).toContain('FIELD_UNKNOWN');
    expect(text).toContain('ROUTE_NOT_FOUND');
    expect(text).toContain('[email]');
    for (const secret of [EMAIL, 'jane.doe%40example.com', '14155550123']) expect(text).not.toContain(secret);
  });

  it('tells a duplicate (200) from a reused messageId (409), hands neither over, and counts both (item 11)', async () => {
    const customerId = customerOf(104);
    const original = makeEvent('signed_up', customerId, Date.now(), { properties: { plan: 'pro' } });
    const changed = { ...original, properties: { plan: 'free' } };
    const sameInstant = { ...original, timestamp: original.timestamp.replace('Z', '+00:00') };
    expect((await send('/v1/events', JSON.stringify(original))).status).toBe(202);
    const again = await send('/v1/events', JSON.stringify(sameInstant));
    expect([again.status, again.body]).toEqual([200, { status: 'duplicate', messageId: original.messageId, unknownType: false }]);
    const conflict = await send('/v1/events', JSON.stringify(changed));
    expect([conflict.status, conflict.body.error]).toEqual([409, expect.objectContaining({ code: 'MESSAGE_ID_CONFLICT', path: 'messageId' })]);
    // The same messageId for another customer names another event.
    expect((await send('/v1/events', JSON.stringify({ ...changed, customerId: customerOf(105) }))).status).toBe(202);

    const next = makeEvent('activated', customerId, Date.now());
    const batch = await send('/v1/events/batch', JSON.stringify({ events: [next, next, { ...next, properties: { x: 1 } }, original] }));
    expect(batch.status).toBe(207);
    expect(batch.body).toMatchObject({
      accepted: 1,
      duplicates: 2,
      rejected: 1,
      results: [
        { index: 0, status: 'accepted' },
        { index: 1, status: 'duplicate', messageId: next.messageId },
        { index: 2, status: 'rejected', error: { code: 'MESSAGE_ID_CONFLICT', path: 'events[2].messageId' } },
        { index: 3, status: 'duplicate', messageId: original.messageId },
      ],
    });

    // The router saw each event once: neither the duplicates nor the conflicting versions reached it.
    const router = api.client.workflow.getHandle(customerWorkflowId(customerId));
    const state = await eventually(async () => {
      const s = await router.query(customerStateQuery).catch(() => undefined);
      return s && s.eventsAccepted === 2 ? s : undefined;
    }, 'the router to handle both events');
    expect(state.duplicatesIgnored).toBe(0);
    const metrics = await (await fetch(api.metricsUrl)).text();
    expect(metrics).toMatch(/^waymark_events_repeated_total\{outcome="duplicate"\} 3$/m);
    expect(metrics).toMatch(/^waymark_events_repeated_total\{outcome="conflict"\} 2$/m);
  });

  it('serves no metrics on the public port (item 9)', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    expect((await fetch(api.metricsUrl)).status).toBe(200);
    expect(new URL(api.metricsUrl).hostname).toBe('127.0.0.1');
  });

  it('kept answering throughout, with no 5xx logged', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect(logs.join('')).not.toMatch(/"level":50/);
  });
});
