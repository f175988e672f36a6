import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { serveOn } from '../../src/api/server';
import { eraseCustomer } from '../../src/erasure/erase';
import { submitEvent } from '../../src/events/intake';
import { createLogger } from '../../src/logger';
import { Store } from '../../src/store/store';
import { createCodecServer } from '../../src/temporal/codec-server';
import { CustomerKeys } from '../../src/temporal/customer-keys';
import { AesGcmPayloadCodec, PayloadDecryptError } from '../../src/temporal/payload-codec';
import { customerWorkflowId, journeyStateQuery, journeyWorkflowId, type JourneyState } from '../../workflows/contract';
import { journeysDir } from '../support/api';
import { runWaymark } from '../support/cli';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';
import { historyBytes, metadataText, payloadsIn, rawHistory, type RawPayload } from '../support/raw-history';
import { killed, startWorkerProcess } from '../support/worker-process';

/**
 * Personal data stays out of Temporal's history: a worker process and a client with
 * WAYMARK_TEMPORAL_PAYLOAD_KEYS run a customer through a journey, the master key is rotated half
 * way (a new worker with the new key first and the old one kept), and the raw history the server
 * holds (read with the gRPC API, no codec) is searched byte by byte for what the customer sent.
 * The customer's payloads are under their own data key (customer:<uuid>), wherever the SDK wrote
 * them (start, signals, activities, local activities, results, queries' answers); a run of no
 * customer under the master key. The codec server decodes the raw payloads for an operator with
 * the "decode" scope; after the customer's erasure, what was saved of their history no longer
 * decodes, and another customer's still does.
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

/** The key ids of each kind of event's payloads (its attributes' field; `userMetadata` for summaries). */
function keyIdsByKind(events: temporal.api.history.v1.IHistoryEvent[]): Record<string, string[]> {
  const kinds: Record<string, Set<string>> = {};
  for (const event of events) {
    for (const [field, value] of Object.entries(event)) {
      if (!value || typeof value !== 'object') continue;
      for (const p of payloadsIn(value, [], `.${field}`)) (kinds[field] ??= new Set()).add(metadataText(p, 'encryption-key-id'));
    }
  }
  return Object.fromEntries(Object.entries(kinds).map(([kind, ids]) => [kind, [...ids].sort()]));
}

const JSON_PLAIN = new TextEncoder().encode('json/plain');
const asRaw = (p: Payload): RawPayload => ({ metadata: p.metadata ?? undefined, data: p.data ?? undefined });
const asPayload = (p: RawPayload): Payload => ({ metadata: p.metadata ?? {}, data: p.data ?? new Uint8Array() });
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

describe('payloads Waymark writes to Temporal are encrypted (real worker processes, dev server, raw history)', () => {
  const dir = journeysDir([journey]);
  const customerId = `enc-${randomUUID()}`;
  let server: Awaited<ReturnType<typeof devServer>>;
  let store: Store;
  const histories: temporal.api.history.v1.IHistoryEvent[][] = [];
  /**
   * What a client with the keys sends and receives, with the serialization context the SDK gave
   * (a codec after the real one: it sees the encrypted payloads).
   */
  const seen: Array<{ op: 'sent' | 'received'; workflowId?: string; keyIds: string[] }> = [];
  const recorder = (op: 'sent' | 'received') => async (payloads: Payload[], context?: SerializationContext) => {
    seen.push({ op, workflowId: context?.workflowId, keyIds: payloads.map((p) => metadataText(asRaw(p), 'encryption-key-id')) });
    return payloads;
  };
  let recording: Client;
  const codec = () => new AesGcmPayloadCodec(server.config.temporal.payloadKeys, new CustomerKeys(store, server.config));

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
    store = new Store(server.config);
    const spy: PayloadCodec = { encode: recorder('sent'), decode: recorder('received') };
    recording = new Client({ connection: server.client.connection, namespace: server.config.temporal.namespace, dataConverter: { payloadCodecs: [codec(), spy] } });
  });
  afterAll(async () => {
    await store?.close();
    await server?.close();
  });

  it("runs a customer through a journey across a master key rotation: every payload of theirs is under their own key, and the raw history holds none of what they sent", async () => {
    const run = recording.workflow.getHandle(journeyWorkflowId(ID, customerId));
    // Before the rotation: only k1 (the same store: the customer's key is made now, wrapped under k1).
    const k1Only = await devServer({ ...storeEnv(server.config), WAYMARK_TEMPORAL_PAYLOAD_KEYS: K1, WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue });
    try {
      await withWorker(K1, async () => {
        await submitEvent(k1Only.client, k1Only.config, makeEvent('enc_signed_up', customerId, Date.now(), { context: { email: EMAIL, phone: PHONE, traits: { first_name: NAME, plan: TRAIT } } }));
        await eventually(async () => ((await run.query(journeyStateQuery).catch(() => undefined))?.step === 'wait' ? true : undefined), 'the run to wait after its first message');
      });
    } finally {
      await k1Only.close();
    }
    // After: k2 first, k1 kept: it wraps the customer's key.
    const final = await withWorker(`${K2},${K1}`, async () => {
      await submitEvent(recording, server.config, makeEvent('enc_done', customerId, Date.now(), { context: { traits: { company: LATER_TRAIT } } }));
      return (await run.result()) as JourneyState;
    });
    expect(final.path.map((p) => [p.step, p.outcome])).toEqual([
      ['hello', expect.stringMatching(/^sent/)],
      ['wait', expect.any(String)],
      ['bye', expect.stringMatching(/^sent/)],
      ['done', expect.any(String)],
    ]);

    const { rows } = await store.query<{ key_id: string; master_key_id: string }>('SELECT key_id, master_key_id FROM customer_data_keys WHERE customer_id = $1', [customerId]);
    expect(rows).toEqual([{ key_id: expect.stringMatching(/^customer:[0-9a-f-]{36}$/), master_key_id: 'k1' }]);
    const theirs = rows[0]!.key_id;
    expect(theirs).not.toContain(customerId);

    for (const workflowId of [customerWorkflowId(customerId), journeyWorkflowId(ID, customerId)]) histories.push(await rawHistory(server.client, server.config.temporal.namespace, workflowId));
    const [router, journeyRun] = histories.map(keyIdsByKind);
    for (const [i, events] of histories.entries()) {
      const bytes = historyBytes(events);
      for (const secret of [EMAIL, PHONE, NAME, TRAIT, LATER_TRAIT]) expect({ history: i, secret, found: bytes.includes(secret) }).toEqual({ history: i, secret, found: false });
      const payloads = payloadsIn(events);
      expect(payloads.length).toBeGreaterThan(3);
      expect(new Set(payloads.map((p) => metadataText(p, 'encoding')))).toEqual(new Set(['binary/encrypted']));
      // Every payload, before the rotation and after it, under the customer's key: never k1 or k2.
      expect(new Set(payloads.map((p) => metadataText(p, 'encryption-key-id')))).toEqual(new Set([theirs]));
    }
    // Where the SDK encodes with the run's context: the client's start and signals, the worker's activity inputs and
    // results, local activities' results (markers), signals between runs, results, summaries.
    const under = (kinds: string[]) => Object.fromEntries(kinds.map((k) => [k, [theirs]]));
    expect(router).toMatchObject(under(['workflowExecutionStartedEventAttributes', 'workflowExecutionSignaledEventAttributes', 'markerRecordedEventAttributes']));
    expect(journeyRun).toMatchObject(
      under(['workflowExecutionStartedEventAttributes', 'workflowExecutionSignaledEventAttributes', 'activityTaskScheduledEventAttributes', 'activityTaskCompletedEventAttributes', 'markerRecordedEventAttributes', 'workflowExecutionCompletedEventAttributes', 'userMetadata']),
    );
    // And the queries' answers the worker sent back, as this client received them.
    const answers = seen.filter((s) => s.op === 'received' && s.workflowId === journeyWorkflowId(ID, customerId));
    expect(answers.length).toBeGreaterThan(0);
    expect(new Set(answers.flatMap((s) => s.keyIds))).toEqual(new Set([theirs]));
    const sent = seen.filter((s) => s.op === 'sent');
    expect(sent.map((s) => s.workflowId)).toContain(customerWorkflowId(customerId));
    expect(new Set(sent.flatMap((s) => s.keyIds))).toEqual(new Set([theirs]));
  });

  it('the CLI shows the customer with the keys; without them, or without the master key that wraps theirs, it says which key is missing', async () => {
    const env = { ...workerEnv(`${K2},${K1}`), WAYMARK_LOG_LEVEL: 'silent' };
    // The customer's router answers queries through a worker.
    const [shown, blind, noK1] = await withWorker(`${K2},${K1}`, async () =>
      Promise.all([runWaymark(['customer', customerId], env), runWaymark(['customer', customerId], { ...env, WAYMARK_TEMPORAL_PAYLOAD_KEYS: '' }), runWaymark(['customer', customerId], { ...env, WAYMARK_TEMPORAL_PAYLOAD_KEYS: K2 })]),
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(ID);
    expect(blind.code).not.toBe(0);
    expect(blind.stderr).toMatch(/a payload is encrypted with a customer's data key \("customer:[0-9a-f-]+"\), and WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty/);
    expect(noK1.code).not.toBe(0);
    expect(noK1.stderr).toMatch(/is wrapped with the master key "k1", which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list \(it lists k2\): add "k1" back/);
  });

  it('the codec server decodes the raw payloads for a key with the "decode" scope, for the UI\'s origin only', async () => {
    expect(histories.length).toBe(2);
    const config = {
      ...server.config,
      api: { ...server.config.api, apiKeys: [{ key: 'operator-key-0123456789', scopes: ['decode'] }, { key: 'events-key-0123456789', scopes: ['events'] }] },
      codecServer: { ...server.config.codecServer, auth: 'keys' as const, origins: ['http://localhost:8233'] },
    };
    const codecServer = await serveOn(createCodecServer(config, codec(), createLogger({ ...config, logLevel: 'silent' })), '127.0.0.1', 0, 'codecServer.address', {}, 1000);
    try {
      const payloads = payloadsIn(histories[0]).map((p) => asJson(asPayload(p)));
      const decode = (headers: Record<string, string>) => fetch(`${codecServer.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, body: JSON.stringify({ payloads }) });

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
      const preflight = (origin: string) => fetch(`${codecServer.url}/decode`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace,authorization' } });
      expect((await preflight('http://localhost:8233')).headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      expect((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await codecServer.close();
    }
  });

  it("a run of no customer (a pipeline's) is under the master key, whatever its input holds", async () => {
    const workflowId = `pipeline/enc-${randomUUID()}`;
    // Started on a queue no worker polls: the client's start is what is looked at.
    const handle = await recording.workflow.start('pipelineLikeWorkflow', { workflowId, taskQueue: `enc-nobody-${randomUUID()}`, args: [{ customerId, email: EMAIL }] });
    await handle.terminate('test over');
    const events = await rawHistory(server.client, server.config.temporal.namespace, workflowId);
    expect(keyIdsByKind(events).workflowExecutionStartedEventAttributes).toEqual(['k2']);
    expect(historyBytes(events).includes(EMAIL)).toBe(false);
    expect(seen.filter((s) => s.op === 'sent' && s.workflowId === workflowId).flatMap((s) => s.keyIds)).toEqual(['k2']);
  });

  it("after the customer's erasure, what was saved of their history no longer decodes (the codec server says they were erased); another customer's still does", async () => {
    expect(histories.length).toBe(2);
    const saved = payloadsIn(histories[1]).map(asPayload);
    expect((await codec().decode(saved)).length).toBe(saved.length);
    const bystander = `enc-keep-${randomUUID()}`;
    const [kept] = await codec().encode([{ metadata: { encoding: JSON_PLAIN }, data: new TextEncoder().encode('"kept@private.example"') }], { type: 'workflow', namespace: 'default', workflowId: customerWorkflowId(bystander) });

    const report = await eraseCustomer(server.client, server.config, store, customerId, 'dpo@example.com');
    expect(report.dataKeys).toBe(1);
    expect(report.runs.map((r) => r.workflowId).sort()).toEqual([customerWorkflowId(customerId), journeyWorkflowId(ID, customerId)].sort());

    const failure = await codec().decode([saved[0]!]).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PayloadDecryptError);
    expect((failure as Error).message).toMatch(/^the customer whose data key is "customer:[0-9a-f-]+" was erased \(.*\): their key was destroyed, and this payload can no longer be read$/);
    const [clear] = await codec().decode([kept!]);
    expect(Buffer.from(clear!.data!).toString()).toBe('"kept@private.example"');

    // The codec server answers the UI with a readable placeholder for the erased payload, and decodes the other one beside it.
    const codecServer = await serveOn(createCodecServer(server.config, codec(), createLogger({ ...server.config, logLevel: 'silent' })), '127.0.0.1', 0, 'codecServer.address', {}, 1000);
    try {
      const answer = await fetch(`${codecServer.url}/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ payloads: [saved[0]!, kept!].map(asJson) }) });
      expect(answer.status).toBe(200);
      const { payloads } = (await answer.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
      const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
      expect(payloads.map((p) => [text(p.metadata.encoding!), p.metadata['waymark-erased'] ? text(p.metadata['waymark-erased']) : undefined])).toEqual([
        ['json/plain', 'true'],
        ['json/plain', undefined],
      ]);
      expect(JSON.parse(text(payloads[0]!.data))).toMatch(/^\[erased\] the customer whose data key is "customer:.*" was erased/);
      expect(text(payloads[1]!.data)).toBe('"kept@private.example"');
    } finally {
      await codecServer.close();
    }

    // Idempotent: nothing left to destroy the second time.
    expect((await eraseCustomer(server.client, server.config, store, customerId, 'dpo@example.com')).dataKeys).toBe(0);
  });
});
