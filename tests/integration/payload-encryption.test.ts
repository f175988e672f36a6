import { randomBytes, randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { serveOn } from '../../src/api/server';
import { submitEvent } from '../../src/events/intake';
import { createLogger } from '../../src/logger';
import { createCodecServer } from '../../src/temporal/codec-server';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec';
import { customerWorkflowId, journeyStateQuery, journeyWorkflowId, type JourneyState } from '../../workflows/contract';
import { journeysDir } from '../support/api';
import { runWaymark } from '../support/cli';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';
import { historyBytes, metadataText, payloadsIn, rawHistory } from '../support/raw-history';
import { killed, startWorkerProcess } from '../support/worker-process';

/**
 * Personal data stays out of Temporal's history: a worker process and a client with
 * WAYMARK_TEMPORAL_PAYLOAD_KEYS run a customer through a journey, the key is rotated half way
 * (a new worker with the new key first and the old one kept), and the raw history the server
 * holds (read with the gRPC API, no codec) is searched byte by byte for what the customer sent.
 * Then the codec server decodes those raw payloads for an operator with the "decode" scope.
 */
const EMAIL = `ana.${randomUUID().slice(0, 8)}@private.example`;
const PHONE = '+14155550123';
const NAME = `Anastasia${randomUUID().slice(0, 6)}`;
const TRAIT = `plan-secret-${randomUUID().slice(0, 8)}`;
const LATER_TRAIT = `company-secret-${randomUUID().slice(0, 8)}`;
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = key('k1');
const K2 = key('k2');

const ID = `enc-${randomUUID().slice(0, 8)}`;
const journey = {
  id: ID,
  name: 'Encryption test',
  entry: { event: 'enc_signed_up' },
  start: 'hello',
  steps: {
    hello: { kind: 'send', channel: 'email', template: 'enc-hello', next: 'wait' },
    wait: { kind: 'wait_for_event', event: 'enc_done', timeout: '30d', onEvent: 'bye', onTimeout: 'bye' },
    bye: { kind: 'send', channel: 'email', template: 'enc-bye', next: 'done' },
    done: { kind: 'exit' },
  },
};

describe('payloads Waymark writes to Temporal are encrypted (real worker processes, dev server, raw history)', () => {
  const dir = journeysDir([journey]);
  const customerId = `enc-${randomUUID()}`;
  let server: Awaited<ReturnType<typeof devServer>>;
  const histories: temporal.api.history.v1.IHistoryEvent[][] = [];

  const workerEnv = (keys: string) => ({
    ...storeEnv(server.config),
    WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
    WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
    WAYMARK_JOURNEYS_DIR: dir,
    WAYMARK_PUBLISH_ON_START: 'true',
    WAYMARK_TEMPORAL_PAYLOAD_KEYS: keys,
  });
  async function withWorker<T>(keys: string, body: () => Promise<T>): Promise<T> {
    const worker = startWorkerProcess(workerEnv(keys));
    try {
      await worker.ready;
      return await body();
    } finally {
      await killed(worker.child);
    }
  }

  beforeAll(async () => {
    server = await devServer({ WAYMARK_TEMPORAL_PAYLOAD_KEYS: `${K2},${K1}` });
  });
  afterAll(() => server?.close());

  it('runs a customer through a journey across a key rotation, and the raw history holds none of what they sent', async () => {
    const run = server.client.workflow.getHandle(journeyWorkflowId(ID, customerId));
    // Before the rotation: only k1 (this client, listing k2 first, would encrypt its signals with k2: the first event goes through a k1-only client).
    const k1Only = await devServer({ WAYMARK_TEMPORAL_PAYLOAD_KEYS: K1, WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue });
    try {
      await withWorker(K1, async () => {
        await submitEvent(k1Only.client, k1Only.config, makeEvent('enc_signed_up', customerId, Date.now(), { context: { email: EMAIL, phone: PHONE, traits: { first_name: NAME, plan: TRAIT } } }));
        await eventually(async () => ((await run.query(journeyStateQuery).catch(() => undefined))?.step === 'wait' ? true : undefined), 'the run to wait after its first message');
      });
    } finally {
      await k1Only.close();
    }
    // After: k2 first, k1 kept for what the run wrote before.
    const final = await withWorker(`${K2},${K1}`, async () => {
      await submitEvent(server.client, server.config, makeEvent('enc_done', customerId, Date.now(), { context: { traits: { company: LATER_TRAIT } } }));
      return (await run.result()) as JourneyState;
    });
    expect(final.path.map((p) => [p.step, p.outcome])).toEqual([
      ['hello', expect.stringMatching(/^sent/)],
      ['wait', expect.any(String)],
      ['bye', expect.stringMatching(/^sent/)],
      ['done', expect.any(String)],
    ]);

    for (const workflowId of [customerWorkflowId(customerId), journeyWorkflowId(ID, customerId)]) histories.push(await rawHistory(server.client, server.config.temporal.namespace, workflowId));
    for (const [i, events] of histories.entries()) {
      const bytes = historyBytes(events);
      for (const secret of [EMAIL, PHONE, NAME, TRAIT, LATER_TRAIT]) expect({ history: i, secret, found: bytes.includes(secret) }).toEqual({ history: i, secret, found: false });
      const payloads = payloadsIn(events);
      expect(payloads.length).toBeGreaterThan(3);
      // Every payload is one the codec wrote; the ones before the rotation under k1, after it under k2.
      expect(new Set(payloads.map((p) => metadataText(p, 'encoding')))).toEqual(new Set(['binary/encrypted']));
      expect(new Set(payloads.map((p) => metadataText(p, 'encryption-key-id')))).toEqual(new Set(['k1', 'k2']));
    }
  });

  it('the CLI shows the customer with the keys, and without them says which key is missing', async () => {
    const env = { ...workerEnv(`${K2},${K1}`), WAYMARK_LOG_LEVEL: 'silent' };
    // The customer's router answers queries through a worker.
    const [shown, blind] = await withWorker(`${K2},${K1}`, async () => [await runWaymark(['customer', customerId], env), await runWaymark(['customer', customerId], { ...env, WAYMARK_TEMPORAL_PAYLOAD_KEYS: '' })]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(ID);
    expect(blind.code).not.toBe(0);
    expect(blind.stderr).toMatch(/encrypted with key id "k[12]", which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list/);
  });

  it('the codec server decodes the raw payloads for a key with the "decode" scope, for the UI\'s origin only', async () => {
    expect(histories.length).toBe(2);
    const config = {
      ...server.config,
      api: { ...server.config.api, apiKeys: [{ key: 'operator-key-0123456789', scopes: ['decode'] }, { key: 'events-key-0123456789', scopes: ['events'] }] },
      codecServer: { ...server.config.codecServer, auth: 'keys' as const, origins: ['http://localhost:8233'] },
    };
    const codec = await serveOn(createCodecServer(config, new AesGcmPayloadCodec(config.temporal.payloadKeys), createLogger({ ...config, logLevel: 'silent' })), '127.0.0.1', 0, 'codecServer.address', {}, 1000);
    try {
      const payloads = payloadsIn(histories[0]).map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(p.data!).toString('base64'),
      }));
      const decode = (headers: Record<string, string>) => fetch(`${codec.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, body: JSON.stringify({ payloads }) });

      const ok = await decode({ Authorization: 'Bearer operator-key-0123456789', Origin: 'http://localhost:8233' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const decoded = (await ok.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      expect(decoded.payloads).toHaveLength(payloads.length);
      const clear = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
      for (const secret of [EMAIL, PHONE, NAME, TRAIT, LATER_TRAIT]) expect(clear).toContain(secret);
      expect(new Set(decoded.payloads.map((p) => Buffer.from(p.metadata.encoding!, 'base64').toString()))).toEqual(new Set(['json/plain']));

      expect((await decode({})).status).toBe(401);
      expect((await decode({ Authorization: 'Bearer events-key-0123456789' })).status).toBe(403);
      const preflight = (origin: string) => fetch(`${codec.url}/decode`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace,authorization' } });
      expect((await preflight('http://localhost:8233')).headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      expect((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await codec.close();
    }
  });
});
