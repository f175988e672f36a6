import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CustomerEvent } from '../../src/events/schema';
import { makeEvent } from '../support/harness';
import { apiOnDevServer } from '../support/api';
import { runWaymark } from '../support/cli';

const EMAIL = 'ana.private@example.com';
const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });

interface Refusal {
  code: string;
  path: string;
  message: string;
}

/**
 * What PostgreSQL cannot store (a NUL, a lone surrogate) and numbers JSON would change, refused at
 * intake with the field's path: the API (one event, a batch item, the Segment-compatible calls)
 * and `waymark events`. No worker: only the answers matter here.
 */
describe('values the profile store cannot keep are refused at intake', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  beforeAll(async () => {
    api = await apiOnDevServer({}, undefined, { worker: false });
  });
  afterAll(() => api?.close());

  const event = (extra: Partial<CustomerEvent> = {}) => makeEvent('seen', `unstorable-${randomUUID()}`, Date.now(), extra);
  const refusalOf = async (body: unknown) => {
    const res = await api.post('/v1/events', body);
    // An accepted event has no error: the status then tells what happened.
    return { status: res.status, error: (res.body as { error?: Refusal }).error ?? { code: '', path: '', message: '' } };
  };

  it('refuses a NUL (U+0000) in a trait, naming the field and what to fix, never quoting the value', async () => {
    const { status, error } = await refusalOf(event({ context: { traits: { plan: 'pro', note: `${EMAIL}\u0000` } } }));
    expect([status, error.code, error.path]).toEqual([422, 'TEXT_UNSTORABLE', 'context.traits.note']);
    expect(error.message).toMatch(/^context\.traits\.note holds a NUL character \(U\+0000\), which PostgreSQL cannot store; remove it$/);
    expect(JSON.stringify(error)).not.toContain(EMAIL);
  });

  it('refuses a NUL in a key, at any depth of the properties', async () => {
    const { status, error } = await refusalOf(event({ properties: { items: [{ sku: 'a' }, { 'b\u0000': 1 }] } }));
    expect([status, error.code, error.path]).toEqual([422, 'TEXT_UNSTORABLE', 'properties.items[1].b\ufffd']);
    expect(error.message).toContain('the key holds a NUL character');
    expect(error.message).toContain('rename it');
  });

  it('refuses a lone surrogate, high or low, in a value or a key, and keeps a complete pair', async () => {
    const high = await refusalOf(event({ properties: { title: 'caf\ud800' } }));
    expect([high.status, high.error.code, high.error.path]).toEqual([422, 'TEXT_UNSTORABLE', 'properties.title']);
    expect(high.error.message).toContain('a lone surrogate');
    const low = await refusalOf(event({ context: { traits: { '\udc00key': 'x' } } }));
    expect([low.status, low.error.code, low.error.path]).toEqual([422, 'TEXT_UNSTORABLE', 'context.traits.\ufffdkey']);
    // A pair written as two escapes is one character: kept.
    const pair = await api.post('/v1/events', JSON.stringify(event({ properties: { mood: 'x' } })).replace('"mood":"x"', '"mood":"\\ud83d\\ude00"'));
    expect(pair.status).toBe(202);
  });

  it('refuses numbers jsonb or JSON would change: beyond ±1.7e308 and very long digit strings', async () => {
    for (const literal of ['1e400', '9'.repeat(400), `0.${'0'.repeat(400)}1`]) {
      const body = JSON.stringify(event({ context: { traits: { score: 1 } } })).replace('"score":1', `"score":${literal}`);
      const { status, error } = await refusalOf(body);
      expect([status, error.code, error.path]).toEqual([422, 'JSON_UNSAFE_NUMBER', 'context.traits.score']);
    }
  });

  it('refuses only the bad item of a batch, as for any invalid item (207), and hands over the others', async () => {
    const [first, bad, last] = [event(), event({ properties: { note: 'a\u0000b' } }), event()];
    const res = await api.post('/v1/events/batch', { events: [first, bad, last] });
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({
      accepted: 2,
      rejected: 1,
      results: [
        { index: 0, status: 'accepted' },
        { index: 1, status: 'rejected', error: { code: 'TEXT_UNSTORABLE', path: 'events[1].properties.note' } },
        { index: 2, status: 'accepted' },
      ],
    });
  });

  it('refuses them in Segment-compatible calls too, by the call\'s own field, one call of a batch alone', async () => {
    const identify = { type: 'identify', messageId: `m-${randomUUID()}`, userId: `u-${randomUUID()}`, traits: { bio: 'x\u0000' } };
    const one = await api.post('/v1/identify', identify, basic('test-key-events'));
    expect([one.status, one.body.error]).toEqual([422, expect.objectContaining({ code: 'TEXT_UNSTORABLE', path: 'traits.bio' })]);
    const track = (properties: Record<string, unknown>) => ({ type: 'track', messageId: `m-${randomUUID()}`, userId: `u-${randomUUID()}`, event: 'Viewed', properties });
    const batch = await api.post('/v1/batch', { batch: [track({ ok: 1 }), track({ bad: '\udfff' })] }, basic('test-key-events'));
    expect(batch.status).toBe(207);
    expect(batch.body).toMatchObject({ accepted: 1, rejected: 1, results: [{ status: 'accepted' }, { status: 'rejected', error: { code: 'TEXT_UNSTORABLE', path: 'batch[1].properties.bad' } }] });
  });

  it('waymark events send and replay refuse them too, naming the option or the line', async () => {
    const env = { WAYMARK_TEMPORAL_ADDRESS: api.config.temporal.address, WAYMARK_JOURNEY_TASK_QUEUE: api.config.temporal.journeyTaskQueue, WAYMARK_DATA_DIR: api.config.dataDir, WAYMARK_LOG_LEVEL: 'silent' };
    // The CLI reads --property values with a plain JSON reader: 1e400 would become Infinity, then null.
    const send = await runWaymark(['events', 'send', '--type', 'seen', '--customer', `cli-${randomUUID()}`, '--property', 'big=1e400'], env);
    expect([send.code, send.stderr.trim()]).toEqual([1, expect.stringMatching(/^rejected \(JSON_UNSAFE_NUMBER\): --property: properties\.big is not a finite number/)]);
    const file = path.join(api.config.dataDir, 'unstorable.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(event({ context: { traits: { note: 'x\u0000' } } }))}\n${JSON.stringify(event({ properties: { big: 1 } })).replace('"big":1', '"big":-1e999')}\n`);
    const replay = await runWaymark(['events', 'replay', file], env);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain('0 accepted, 2 rejected');
    expect(replay.stdout).toMatch(/line 1: TEXT_UNSTORABLE: context\.traits\.note holds a NUL character/);
    expect(replay.stdout).toMatch(/line 2: JSON_UNSAFE_NUMBER: properties\.big is not a finite number/);
  });
});
