import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { describeStore, type Store } from '../store/store';
import { composeKey, customerWorkflowId, journeyWorkflowId } from '../../workflows/contract';
import type { PayloadKey } from './payload-keys';

/** What a customer's payload names as its key: `customer:<random uuid>`, never the customer id. */
export const CUSTOMER_KEY_PREFIX = 'customer:';
export const isCustomerKeyId = (keyId: string) => keyId.startsWith(CUSTOMER_KEY_PREFIX);

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const DEK_BYTES = 32;

const CUSTOMER_RUN = customerWorkflowId('');
const JOURNEY_RUN = journeyWorkflowId('', '').split('/')[0]! + '/';
const CONSENT_SYNC = composeKey('consent-sync').slice(0, -1) + ',';

/**
 * The customer a workflow id belongs to, for the workflows that run for one customer: their
 * router (`customer/<id>`), their journey runs (`journey/<journeyId>/<id>`: a journey id has no
 * "/"), their consent syncs (`["consent-sync","<id>","<update>"]`). Anything else (pipelines,
 * audiences, scoring, retraining) belongs to no customer.
 */
export function customerOfWorkflowId(workflowId: string | undefined): string | undefined {
  if (!workflowId) return undefined;
  if (workflowId.startsWith(CUSTOMER_RUN)) return workflowId.slice(CUSTOMER_RUN.length) || undefined;
  if (workflowId.startsWith(JOURNEY_RUN)) {
    const slash = workflowId.indexOf('/', JOURNEY_RUN.length);
    return slash < 0 ? undefined : workflowId.slice(slash + 1) || undefined;
  }
  if (workflowId.startsWith(CONSENT_SYNC)) {
    try {
      const parts: unknown = JSON.parse(workflowId);
      return Array.isArray(parts) && typeof parts[1] === 'string' && parts[1] ? parts[1] : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A customer's data key, unwrapped: the id payloads name, and 32 bytes of AES-256 key. */
export type CustomerKey = PayloadKey;

/** A `customer:` key whose customer was erased: what it encrypted cannot be read any more. */
export class CustomerKeyErasedError extends Error {
  override readonly name = 'CustomerKeyErasedError';
  readonly code = 'CUSTOMER_KEY_ERASED';
}

/** A customer's key that cannot be unwrapped: its master key is not listed, or it is not in this store. */
export class CustomerKeyUnavailableError extends Error {
  override readonly name = 'CustomerKeyUnavailableError';
  readonly code = 'CUSTOMER_KEY_UNAVAILABLE';
}

interface KeyRow {
  key_id: string;
  customer_id: string | null;
  wrapped_key: Buffer | null;
  master_key_id: string | null;
  destroyed_at: Date | null;
}

/** AES-256-GCM of the key under a master key; the key id is the additional data, so a wrapped key moved to another row fails. */
export function wrapKey(master: PayloadKey, keyId: string, key: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  return Buffer.concat([nonce, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
}

function unwrapKey(master: PayloadKey, keyId: string, wrapped: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', master.key, wrapped.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(keyId, 'utf8'));
  decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(wrapped.subarray(NONCE_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new CustomerKeyUnavailableError(`the data key "${keyId}" does not unwrap with the master key "${master.id}" of WAYMARK_TEMPORAL_PAYLOAD_KEYS (a different key under the same id, or an altered row)`);
  }
}

/** A small LRU with a TTL: Map keeps insertion order, so the first entry is the oldest used. */
class TtlCache {
  private readonly entries = new Map<string, { key: CustomerKey; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly size: number,
    private readonly now: () => number,
  ) {}

  get(name: string): CustomerKey | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    this.entries.delete(name);
    if (entry.until <= this.now()) return undefined;
    this.entries.set(name, entry);
    return entry.key;
  }

  set(name: string, key: CustomerKey): void {
    this.entries.delete(name);
    this.entries.set(name, { key, until: this.now() + this.ttlMs });
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(name: string): void {
    this.entries.delete(name);
  }
}

/**
 * The customers' data keys in the store (customer_data_keys), wrapped under the first master key
 * of WAYMARK_TEMPORAL_PAYLOAD_KEYS when made; unwrapped with whichever listed master key the row
 * names. Unwrapped keys are kept in this process for WAYMARK_TEMPORAL_CUSTOMER_KEY_CACHE_TTL (at
 * most WAYMARK_TEMPORAL_CUSTOMER_KEY_CACHE_SIZE of them, by customer and by key id): so an erased
 * customer's key stays usable in another process at most that long after the erasure.
 */
export class CustomerKeys {
  private readonly byCustomer: TtlCache;
  private readonly byKeyId: TtlCache;
  private readonly masters: ReadonlyMap<string, PayloadKey>;

  constructor(
    private readonly store: Store,
    private readonly config: Pick<Config, 'temporal'>,
    now: () => number = Date.now,
  ) {
    const { payloadKeys, customerKeyCacheTtlMs, customerKeyCacheSize } = config.temporal;
    this.masters = new Map(payloadKeys.map((k) => [k.id, k]));
    this.byCustomer = new TtlCache(customerKeyCacheTtlMs, customerKeyCacheSize, now);
    this.byKeyId = new TtlCache(customerKeyCacheTtlMs, customerKeyCacheSize, now);
  }

  /**
   * The customer's key, made on first use. Two processes making one at once both insert; the
   * unique customer id keeps the first, and both read that one back.
   */
  async forCustomer(customerId: string): Promise<CustomerKey> {
    const cached = this.byCustomer.get(customerId);
    if (cached) return cached;
    const master = this.config.temporal.payloadKeys[0];
    if (!master) throw new CustomerKeyUnavailableError("customers' data keys need a master key: WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty");
    const keyId = `${CUSTOMER_KEY_PREFIX}${randomUUID()}`;
    await this.store.query('INSERT INTO customer_data_keys (key_id, customer_id, wrapped_key, master_key_id) VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO NOTHING', [
      keyId,
      customerId,
      wrapKey(master, keyId, randomBytes(DEK_BYTES)),
      master.id,
    ]);
    const { rows } = await this.store.query<KeyRow>('SELECT key_id, customer_id, wrapped_key, master_key_id, destroyed_at FROM customer_data_keys WHERE customer_id = $1', [customerId]);
    // Erased between the two statements: the next call makes a new key.
    if (!rows[0]) throw new CustomerKeyUnavailableError(`the data key of a customer was destroyed (erased) while it was being made: try again`);
    const key = this.remember(this.unwrap(rows[0]));
    this.byCustomer.set(customerId, key);
    return key;
  }

  /** The key a payload names; fails with CustomerKeyErasedError when its customer was erased. */
  async byId(keyId: string): Promise<CustomerKey> {
    const cached = this.byKeyId.get(keyId);
    if (cached) return cached;
    const { rows } = await this.store.query<KeyRow>('SELECT key_id, customer_id, wrapped_key, master_key_id, destroyed_at FROM customer_data_keys WHERE key_id = $1', [keyId]);
    const row = rows[0];
    if (!row) throw new CustomerKeyUnavailableError(`the customer data key "${keyId}" is not in ${describeStore(this.store.config)}: its payloads were written by a Waymark with another store`);
    if (row.destroyed_at) throw new CustomerKeyErasedError(`the customer whose data key is "${keyId}" was erased (${row.destroyed_at.toISOString()}): their key was destroyed, and this payload can no longer be read`);
    return this.remember(this.unwrap(row));
  }

  /**
   * Destroys the customer's key (erasure): the row keeps only its key id and when, so a payload
   * met later fails naming the erasure. Returns how many keys were destroyed (0 the second time).
   */
  async destroy(customerId: string): Promise<number> {
    const { rows } = await this.store.query<{ key_id: string }>(
      'UPDATE customer_data_keys SET customer_id = NULL, wrapped_key = NULL, master_key_id = NULL, destroyed_at = now() WHERE customer_id = $1 RETURNING key_id',
      [customerId],
    );
    this.byCustomer.delete(customerId);
    for (const r of rows) this.byKeyId.delete(r.key_id);
    return rows.length;
  }

  /**
   * `waymark keys rewrap`: wraps every live key that another master key wraps under the first
   * one, `batch` rows at a time, so the old master keys are no longer needed for customers' keys.
   * Refuses before changing anything when a row's master key is not listed. Each row is changed
   * only if it is still as read (a key destroyed meanwhile stays destroyed). Returns how many rows
   * were re-wrapped, per master key they were under.
   */
  async rewrapAll(batch: number): Promise<Record<string, number>> {
    const first = this.config.temporal.payloadKeys[0];
    if (!first) throw new CustomerKeyUnavailableError("re-wrapping customers' data keys needs the master keys: WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty");
    const { rows: under } = await this.store.query<{ master_key_id: string; n: string }>(
      'SELECT master_key_id, COUNT(*) AS n FROM customer_data_keys WHERE destroyed_at IS NULL AND master_key_id <> $1 GROUP BY master_key_id ORDER BY master_key_id',
      [first.id],
    );
    const missing = under.filter((u) => !this.masters.has(u.master_key_id));
    if (missing.length) {
      throw new CustomerKeyUnavailableError(
        `${missing.map((m) => `${m.n} customer data key(s) are wrapped with the master key "${m.master_key_id}"`).join(', ')}, which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list (it lists ${[...this.masters.keys()].join(', ')}): add it back (after "${first.id}") to re-wrap them`,
      );
    }
    const done: Record<string, number> = {};
    for (;;) {
      const { rows } = await this.store.query<KeyRow>(
        'SELECT key_id, customer_id, wrapped_key, master_key_id, destroyed_at FROM customer_data_keys WHERE destroyed_at IS NULL AND master_key_id <> $1 ORDER BY key_id LIMIT $2',
        [first.id, batch],
      );
      if (!rows.length) return done;
      for (const row of rows) {
        const key = this.unwrap(row);
        const changed = await this.store.query('UPDATE customer_data_keys SET wrapped_key = $1, master_key_id = $2 WHERE key_id = $3 AND master_key_id = $4 AND destroyed_at IS NULL', [
          wrapKey(first, key.id, key.key),
          first.id,
          key.id,
          row.master_key_id,
        ]);
        if (changed.rowCount) done[row.master_key_id!] = (done[row.master_key_id!] ?? 0) + 1;
      }
    }
  }

  private unwrap(row: KeyRow): CustomerKey {
    const master = this.masters.get(row.master_key_id!);
    if (!master) {
      throw new CustomerKeyUnavailableError(
        `the customer data key "${row.key_id}" is wrapped with the master key "${row.master_key_id}", which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list (it lists ${this.masters.size ? [...this.masters.keys()].join(', ') : 'none'}): add "${row.master_key_id}" back`,
      );
    }
    return { id: row.key_id, key: unwrapKey(master, row.key_id, row.wrapped_key!) };
  }

  private remember(key: CustomerKey): CustomerKey {
    this.byKeyId.set(key.id, key);
    return key;
  }
}
