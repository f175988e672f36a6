import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { Client, Connection } from '@temporalio/client';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logger';
import { createAppForClient, listen, type RunningServer } from '../../src/api/server';
import { testConfig } from '../support/harness';
import { apiOnDevServer, KEY, METRICS_ONLY_KEY, post, TEST_API_SETTINGS } from '../support/api';

const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
const MAX_CALL = 1_024;
const MAX_BATCH = 8_192;
/** Four bytes, least significant first (gzip's trailer). */
const uint32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** Writes `request` on a new connection and reads until the server closes it. */
function rawExchange(url: string, request: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
    socket.setTimeout(30_000, () => socket.destroy(new Error('no answer within 30 s')));
  });
}

/** The Segment-compatible endpoints over plain HTTP: what is kept, refused and answered. No worker: only the API's answers matter here. */
describe('Segment-compatible endpoints', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;

  beforeAll(async () => {
    api = await apiOnDevServer({ WAYMARK_SEGMENT_MAX_CALL_BYTES: String(MAX_CALL), WAYMARK_SEGMENT_MAX_BATCH_BYTES: String(MAX_BATCH), WAYMARK_API_LOCKOUT_FAILURES: '3' }, undefined, { worker: false });
  });
  afterAll(() => api?.close());

  const send = (path: string, body: unknown, headers: Record<string, string> = basic(KEY)) => post(api.url, path, body, headers);
  const track = (extra: Record<string, unknown> = {}) => ({ type: 'track', messageId: `m-${randomUUID()}`, userId: `u-${randomUUID().slice(0, 8)}`, event: 'Order Completed', timestamp: new Date().toISOString(), ...extra });

  it('takes the write key as the Basic user name, with the same key rules as /v1/events', async () => {
    expect((await send('/v1/track', track())).status).toBe(202);
    expect((await send('/v1/track', track(), { authorization: '' })).body).toMatchObject({ error: { code: 'API_KEY_MISSING' } });
    expect((await send('/v1/track', track(), basic(METRICS_ONLY_KEY))).body).toMatchObject({ error: { code: 'API_KEY_FORBIDDEN' } });
    // A password makes it some other Basic scheme: no key is read from it.
    const withPassword = { authorization: `Basic ${Buffer.from(`${KEY}:secret`).toString('base64')}` };
    expect((await send('/v1/track', track(), withPassword)).body).toMatchObject({ error: { code: 'API_KEY_MISSING' } });
  });

  it('answers one call with its event type; a resend is a duplicate, another call under its messageId a conflict', async () => {
    const call = track();
    const first = await send('/v1/track', call);
    expect([first.status, first.body]).toEqual([202, { status: 'accepted', messageId: call.messageId, type: 'order_completed', unknownType: true }]);
    expect((await send('/v1/track', call)).status).toBe(200);
    // /v1/call takes any type from the body: the same call again, a duplicate.
    expect((await send('/v1/call', call)).body).toEqual({ status: 'duplicate', messageId: call.messageId, type: 'order_completed', unknownType: true });
    const reused = await send('/v1/track', { ...call, properties: { total: 3 } });
    expect([reused.status, reused.body.error]).toEqual([409, expect.objectContaining({ code: 'MESSAGE_ID_CONFLICT', path: 'messageId' })]);
    // Without a timestamp the call's time is its arrival; a resend arrives later and is still the same call.
    const untimed = track({ timestamp: undefined });
    expect((await send('/v1/track', untimed)).status).toBe(202);
    expect((await send('/v1/track', untimed)).body).toMatchObject({ status: 'duplicate', messageId: untimed.messageId });
    const wrongDoor = await send('/v1/identify', call);
    expect([wrongDoor.status, wrongDoor.body.error]).toEqual([422, expect.objectContaining({ code: 'FIELD_INVALID', path: 'type' })]);
  });

  it('keeps the valid calls of a partly invalid batch and reports each refused one by its index (207)', async () => {
    const kept = track();
    const res = await send('/v1/batch', {
      batch: [
        kept,
        { ...track(), userId: undefined },
        { type: 'identify', messageId: `m-${randomUUID()}`, userId: 'u-ok', traits: { email: 'not-an-email' } },
        { type: 'identify', messageId: `m-${randomUUID()}`, userId: 'u-ok', traits: { plan: 'pro', bio: 'x'.repeat(MAX_CALL) } },
        kept,
        { type: 'page', messageId: `m-${randomUUID()}`, anonymousId: `v-${randomUUID()}`, name: 'Home' },
      ],
      writeKey: 'ignored',
    });
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({
      accepted: 2,
      duplicates: 1,
      rejected: 3,
      results: [
        { index: 0, status: 'accepted', type: 'order_completed' },
        { index: 1, status: 'rejected', error: { code: 'FIELD_REQUIRED', path: 'batch[1].userId' } },
        { index: 2, status: 'rejected', error: { code: 'FIELD_FORMAT', path: 'batch[2].traits.email' } },
        { index: 3, status: 'rejected', error: { code: 'BODY_TOO_LARGE', path: 'batch[3]', message: expect.stringContaining('WAYMARK_SEGMENT_MAX_CALL_BYTES') } },
        { index: 4, status: 'duplicate', messageId: kept.messageId },
        { index: 5, status: 'accepted', type: 'page' },
      ],
    });
  });

  it('refuses a batch with no valid call (422), so the SDK does not resend it', async () => {
    const res = await send('/v1/batch', { batch: [{ type: 'track', messageId: 'm' }, { nope: true }] });
    expect([res.status, res.body.error]).toEqual([422, expect.objectContaining({ code: 'BATCH_ALL_REJECTED' })]);
    expect((await send('/v1/batch', { batch: [] })).body).toMatchObject({ error: { code: 'BATCH_EMPTY' } });
    expect((await send('/v1/batch', { calls: [] })).body).toMatchObject({ error: { code: 'FIELD_REQUIRED', path: 'batch' } });
  });

  it('corrects a fast clock by sentAt; without sentAt the same time is too far ahead', async () => {
    const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();
    const fastClock = track({ timestamp: ahead(10 * 60_000) });
    const corrected = await send('/v1/batch', { batch: [fastClock], sentAt: ahead(10 * 60_000 + 1_000) });
    expect(corrected.status).toBe(202);
    const uncorrected = await send('/v1/track', track({ timestamp: ahead(10 * 60_000) }));
    expect([uncorrected.status, uncorrected.body.error]).toEqual([422, expect.objectContaining({ code: 'TIMESTAMP_IN_FUTURE', path: 'timestamp' })]);
  });

  it('reads gzip bodies, counting the decompressed bytes against the batch limit', async () => {
    const gz = (body: unknown) => gzipSync(JSON.stringify(body));
    const headers = { ...basic(KEY), 'content-encoding': 'gzip', 'content-type': 'application/x-www-form-urlencoded' };
    expect((await send('/v1/batch', gz({ batch: [track()] }), headers)).status).toBe(202);
    // 200 calls of about 150 bytes: a small gzip body, far more than the limit once inflated.
    const large = await send('/v1/batch', gz({ batch: Array.from({ length: 200 }, () => track()) }), headers);
    expect([large.status, large.body.error]).toEqual([413, expect.objectContaining({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('WAYMARK_SEGMENT_MAX_BATCH_BYTES') })]);
    expect((await send('/v1/batch', Buffer.from('not gzip'), headers)).body).toMatchObject({ error: { code: 'INVALID_ENCODING' } });
    // One valid call behind 2,000 empty stored blocks (5 bytes each): tiny inflated, 10 kB on the wire.
    const body = Buffer.from(JSON.stringify({ batch: [track()] }));
    const padded = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]), Buffer.alloc(2_000 * 5, Buffer.from([0, 0, 0, 0xff, 0xff])), deflateRawSync(body), uint32(crc32(body)), uint32(body.length)]);
    expect(gunzipSync(padded).equals(body)).toBe(true);
    const wire = await send('/v1/batch', padded, headers);
    expect([wire.status, wire.body.error]).toEqual([413, expect.objectContaining({ code: 'BODY_TOO_LARGE' })]);
    expect((await send('/v1/batch', '{}', { ...basic(KEY), 'content-type': 'text/html' })).status).toBe(415);
  });

  it('refuses a transfer coding other than chunked (501) rather than read a gzip body as plain, and closes the connection', async () => {
    const gzipped = gzipSync(JSON.stringify({ batch: [track()] }));
    const head = ['POST /v1/batch HTTP/1.1', 'Host: localhost', `Authorization: ${basic(KEY).authorization}`, 'Content-Type: application/json', 'Transfer-Encoding: gzip, chunked', '', ''].join('\r\n');
    const reply = await rawExchange(api.url, Buffer.concat([Buffer.from(`${head}${gzipped.length.toString(16)}\r\n`), gzipped, Buffer.from('\r\n0\r\n\r\n')]));
    expect(reply).toMatch(/^HTTP\/1\.1 501 /);
    expect(reply).toMatch(/connection: close/i);
    expect(reply).toContain('"code":"TRANSFER_ENCODING_UNSUPPORTED"');
  });

  it('links an anonymous id once: a second alias to another user is refused', async () => {
    const visitor = `v-${randomUUID()}`;
    const alias = (userId: string) => ({ type: 'alias', messageId: `m-${randomUUID()}`, previousId: visitor, userId });
    expect((await send('/v1/alias', alias('u-first'))).status).toBe(202);
    expect((await send('/v1/alias', alias('u-first'))).status).toBe(202);
    const other = await send('/v1/alias', alias('u-second'));
    expect([other.status, other.body.error]).toEqual([422, expect.objectContaining({ code: 'FIELD_INVALID', path: 'previousId' })]);
  });

  it('keeps userIds and anonymous ids apart: a userId "anon:X" is refused, anonymousId X stays its own customer', async () => {
    const visitor = `v-${randomUUID()}`;
    const named = await send('/v1/track', track({ userId: `anon:${visitor}` }));
    expect([named.status, named.body.error]).toEqual([422, expect.objectContaining({ code: 'FIELD_INVALID', path: 'userId', message: expect.stringContaining('must not start with "anon:"') })]);
    expect((await send('/v1/track', track({ userId: undefined, anonymousId: visitor }))).status).toBe(202);
  });

  // Last: it locks this test's address out.
  it('counts unknown write keys towards the same lockout as /v1/events', async () => {
    for (let i = 0; i < 3; i++) expect((await send('/v1/batch', { batch: [track()] }, basic(`guess-${i}`))).status).toBe(401);
    const locked = await post(api.url, '/v1/events', {});
    expect([locked.status, locked.body.error]).toEqual([429, expect.objectContaining({ code: 'ADDRESS_LOCKED' })]);
  });
});

describe('Segment-compatible batch when Temporal cannot be reached', () => {
  const config = testConfig({ WAYMARK_TEMPORAL_ADDRESS: '127.0.0.1:1', WAYMARK_API_TEMPORAL_TIMEOUT: '1s', ...TEST_API_SETTINGS });
  const connection = Connection.lazy({ address: config.temporal.address });
  let http: RunningServer;

  beforeAll(async () => {
    http = await listen(createAppForClient(config, new Client({ connection, namespace: config.temporal.namespace }), createLogger(config), new Registry()), config);
  });
  afterAll(async () => {
    await http?.close();
    await connection.close();
  });

  it('answers 503 with Retry-After, so the SDK resends the batch', async () => {
    const userId = `down-${randomUUID().slice(0, 8)}`;
    const calls = ['Signed Up', 'Activated'].map((event) => ({ type: 'track', messageId: `m-${randomUUID()}`, userId, event }));
    const res = await post(http.url, '/v1/batch', { batch: calls }, basic(KEY));
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1']);
    expect(res.body).toMatchObject({ accepted: 0, rejected: 2, error: { code: 'TEMPORAL_UNAVAILABLE', path: 'batch', message: expect.stringContaining('resend the whole batch') } });
  });
});
