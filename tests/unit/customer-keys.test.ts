import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import { Store } from '../../src/store/store';
import { CustomerKeyErasedError, CustomerKeys, CustomerKeyUnavailableError, customerOfWorkflowId } from '../../src/temporal/customer-keys';
import { AesGcmPayloadCodec, PayloadDecryptError } from '../../src/temporal/payload-codec';
import type { PayloadKey } from '../../src/temporal/payload-keys';
import { consentSyncWorkflowId, customerWorkflowId, journeyWorkflowId } from '../../workflows/contract';
import { runWaymark } from '../support/cli';
import { storeEnv, testConfig } from '../support/harness';

/**
 * Customers' data keys on a real store (the test run's embedded PostgreSQL), as several processes
 * would use them (one CustomerKeys each), with a clock the test moves; the codec with real AES-GCM.
 */
const master = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const K1 = master('k1');
const K2 = master('k2');
const TTL = 60_000;

describe('customer data keys', () => {
  const base = testConfig();
  const store = new Store(base);
  afterAll(() => store.close());
  let now = 1_000_000;
  const clock = () => now;
  const withKeys = (keys: PayloadKey[], size = 100): Pick<Config, 'temporal'> => ({ temporal: { ...base.temporal, payloadKeys: keys, customerKeyCacheTtlMs: TTL, customerKeyCacheSize: size } });
  const keysOf = (keys: PayloadKey[], size?: number) => new CustomerKeys(store, withKeys(keys, size), clock);

  it('gives each customer one key under a random "customer:" id, even when ten processes make it at once', async () => {
    const customerId = `race-${randomUUID()}`;
    const made = await Promise.all(Array.from({ length: 10 }, () => keysOf([K1]).forCustomer(customerId)));
    expect(new Set(made.map((k) => k.id)).size).toBe(1);
    expect(new Set(made.map((k) => k.key.toString('hex'))).size).toBe(1);
    expect(made[0]!.id).toMatch(/^customer:[0-9a-f-]{36}$/);
    expect(made[0]!.id).not.toContain(customerId);
    const { rows } = await store.query<{ n: string; wrapped: Buffer; master_key_id: string }>('SELECT COUNT(*) OVER () AS n, wrapped_key AS wrapped, master_key_id FROM customer_data_keys WHERE customer_id = $1', [customerId]);
    expect(rows.map((r) => [r.n, r.master_key_id])).toEqual([['1', 'k1']]);
    // The row holds the key wrapped, not the key.
    expect(rows[0]!.wrapped.includes(made[0]!.key)).toBe(false);
    expect((await keysOf([K1]).byId(made[0]!.id)).key.equals(made[0]!.key)).toBe(true);
    expect((await keysOf([K1]).forCustomer(`other-${randomUUID()}`)).id).not.toBe(made[0]!.id);
  });

  it('keeps an unwrapped key for the TTL: a destroyed key stays usable in another process that long, then fails naming the erasure', async () => {
    const customerId = `ttl-${randomUUID()}`;
    const elsewhere = keysOf([K1]);
    const key = await elsewhere.forCustomer(customerId);
    await elsewhere.byId(key.id);
    expect(await keysOf([K1]).destroy(customerId)).toBe(1);
    expect(await keysOf([K1]).destroy(customerId)).toBe(0);
    now += TTL - 1;
    expect((await elsewhere.byId(key.id)).id).toBe(key.id);
    expect((await elsewhere.forCustomer(customerId)).id).toBe(key.id);
    now += 1;
    await expect(elsewhere.byId(key.id)).rejects.toThrow(CustomerKeyErasedError);
    await expect(elsewhere.byId(key.id)).rejects.toThrow(/was erased .*: their key was destroyed, and this payload can no longer be read/);
    // Their next event gets a fresh key.
    const fresh = await elsewhere.forCustomer(customerId);
    expect(fresh.id).not.toBe(key.id);
  });

  it('keeps at most the configured number of keys', async () => {
    const keys = keysOf([K1], 2);
    const [a, b, c] = [`lru-a-${randomUUID()}`, `lru-b-${randomUUID()}`, `lru-c-${randomUUID()}`];
    const first = await keys.forCustomer(a);
    await keys.forCustomer(b);
    await keys.forCustomer(c);
    // a fell out of this process's cache: its destruction shows at once here.
    await keysOf([K1]).destroy(a);
    await expect(keys.byId(first.id)).rejects.toThrow(CustomerKeyErasedError);
  });

  it('unwraps with the master key its row names; one no longer listed is named, to be added back', async () => {
    const customerId = `rot-${randomUUID()}`;
    const before = await keysOf([K1]).forCustomer(customerId);
    // After a rotation (k2 first, k1 kept), the key wrapped under k1 still unwraps.
    expect((await keysOf([K2, K1]).byId(before.id)).key.equals(before.key)).toBe(true);
    await expect(keysOf([K2]).byId(before.id)).rejects.toThrow(CustomerKeyUnavailableError);
    await expect(keysOf([K2]).forCustomer(customerId)).rejects.toThrow(`the customer data key "${before.id}" is wrapped with the master key "k1", which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list (it lists k2): add "k1" back`);
    // A different key under the same id does not unwrap it.
    await expect(keysOf([master('k1')]).byId(before.id)).rejects.toThrow('does not unwrap with the master key "k1"');
  });

  it("the codec encrypts a customer's runs with their key, anything else with the master key, and decodes by the key id alone", async () => {
    const customerId = `codec-${randomUUID()}`;
    const codec = new AesGcmPayloadCodec([K1], keysOf([K1]));
    const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"ana@example.com"') };
    const keyIdOf = async (context?: Parameters<AesGcmPayloadCodec['encode']>[1]) => {
      const [encoded] = await codec.encode([payload], context);
      return Buffer.from(encoded!.metadata!['encryption-key-id']!).toString();
    };
    const theirs = (await keysOf([K1]).forCustomer(customerId)).id;
    const namespace = 'default';
    expect(await keyIdOf({ type: 'workflow', namespace, workflowId: customerWorkflowId(customerId) })).toBe(theirs);
    expect(await keyIdOf({ type: 'workflow', namespace, workflowId: journeyWorkflowId('onboarding', customerId) })).toBe(theirs);
    expect(await keyIdOf({ type: 'activity', namespace, workflowId: journeyWorkflowId('onboarding', customerId), isLocal: true })).toBe(theirs);
    expect(await keyIdOf({ type: 'workflow', namespace, workflowId: consentSyncWorkflowId(customerId, 'u1') })).toBe(theirs);
    expect(await keyIdOf({ type: 'workflow', namespace, workflowId: 'pipeline/nightly' })).toBe('k1');
    expect(await keyIdOf({ type: 'activity', namespace, isLocal: false })).toBe('k1');
    expect(await keyIdOf()).toBe('k1');
    const [encoded] = await codec.encode([payload], { type: 'workflow', namespace, workflowId: customerWorkflowId(customerId) });
    const [decoded] = await new AesGcmPayloadCodec([K1], keysOf([K1])).decode([encoded!]);
    expect(Buffer.from(decoded!.data!).toString()).toBe('"ana@example.com"');
    // Without master keys there is no store to ask: the message says what to set.
    await expect(new AesGcmPayloadCodec([]).decode([encoded!])).rejects.toThrow(`a payload is encrypted with a customer's data key ("${theirs}"), and WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty`);
    await keysOf([K1]).destroy(customerId);
    const failure = await new AesGcmPayloadCodec([K1], keysOf([K1])).decode([encoded!]).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PayloadDecryptError);
    expect((failure as PayloadDecryptError).erased).toBe(true);
    expect((failure as Error).message).toMatch(/was erased/);
  });

  it('knows the customer of their router, journey runs and consent syncs, and of nothing else', () => {
    expect(customerOfWorkflowId(customerWorkflowId('c/1'))).toBe('c/1');
    expect(customerOfWorkflowId(journeyWorkflowId('onboarding', 'anon:x/y'))).toBe('anon:x/y');
    expect(customerOfWorkflowId(consentSyncWorkflowId('c"1', 'k'))).toBe('c"1');
    for (const other of ['pipeline/nightly', 'audience/vip-2026', 'scoring/churn', 'retraining/churn', 'journey/onboarding', 'customer/', '["consent-sync"', undefined]) expect(customerOfWorkflowId(other)).toBeUndefined();
  });
});

describe('waymark keys rewrap', () => {
  // A database of its own: rewrap goes over every row.
  const base = testConfig();
  const store = new Store(base);
  afterAll(() => store.close());
  const withKeys = (keys: PayloadKey[]): Pick<Config, 'temporal'> => ({ temporal: { ...base.temporal, payloadKeys: keys } });
  const env = (keys: PayloadKey[]) => ({ ...storeEnv(base), WAYMARK_LOG_LEVEL: 'silent', WAYMARK_TEMPORAL_PAYLOAD_KEYS: keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',') });

  it('wraps every live key under the first master key, after which the old one is no longer needed for them', async () => {
    const made = await Promise.all([1, 2, 3].map((n) => new CustomerKeys(store, withKeys([K1])).forCustomer(`rewrap-${n}-${randomUUID()}`)));
    const erased = `rewrap-erased-${randomUUID()}`;
    await new CustomerKeys(store, withKeys([K1])).forCustomer(erased);
    await new CustomerKeys(store, withKeys([K1])).destroy(erased);

    // Without k1 listed, nothing is changed and the message names it.
    const refused = await runWaymark(['keys', 'rewrap'], env([K2]));
    expect({ code: refused.code, stderr: refused.stderr.trim() }).toEqual({ code: 1, stderr: 'waymark: 3 customer data key(s) are wrapped with the master key "k1", which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list (it lists k2): add it back (after "k2") to re-wrap them' });

    const done = await runWaymark(['keys', 'rewrap', '--batch', '2'], env([K2, K1]));
    expect({ code: done.code, stdout: done.stdout.trim(), stderr: done.stderr }).toEqual({ code: 0, stdout: 'Re-wrapped 3 customer data key(s) under "k2": 3 from "k1".', stderr: '' });
    for (const key of made) expect((await new CustomerKeys(store, withKeys([K2])).byId(key.id)).key.equals(key.key)).toBe(true);
    const { rows } = await store.query<{ master_key_id: string | null; n: string }>('SELECT master_key_id, COUNT(*) AS n FROM customer_data_keys GROUP BY 1 ORDER BY 1');
    expect(rows).toEqual([{ master_key_id: 'k2', n: '3' }, { master_key_id: null, n: '1' }]);
    expect(await new CustomerKeys(store, withKeys([K2])).rewrapAll(10)).toEqual({});
  });
});
