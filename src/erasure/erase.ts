import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { anonymousCustomerId } from '../api/segment/identity-links';
import { JourneyStore } from '../store/journeys';
import { eraseFromWarehouse, keysOf, type WarehouseErasure } from '../warehouse/erase';
import { warehouseLease } from '../warehouse/open';
import type { Store } from '../store/store';
import { CustomerKeys } from '../temporal/customer-keys';
import { eraseFromStore, type StoreErasure } from './store';
import { deleteCustomerRuns, type DeletedRun } from './temporal';

export interface ErasureReport {
  /** Runs deleted from Temporal (router and journey runs, every run of each), the anonymous customers' included. */
  runs: DeletedRun[];
  /** The customer's rows in the store, then those of each anonymous customer (Segment's `anon:<anonymousId>`) linked to them. */
  store: StoreErasure;
  /** Anonymous customers linked to them (their events before they identified themselves), erased with them. */
  anonymous: number;
  /**
   * Data keys destroyed (the customer's and their anonymous customers'): what their runs wrote to
   * Temporal under them (an archived history, one not deleted yet, a copy) can no longer be read.
   */
  dataKeys: number;
  /** Rows deleted per warehouse table. */
  warehouse: WarehouseErasure;
  /** Earlier erasures of the same customer id (an erasure is recorded by the id's digest only). */
  erasedBefore: number;
}

/** What an erasure record keeps of the customer id: a digest, which names no one but finds the same id again. */
export const customerDigest = (customerId: string) => createHash('sha256').update(customerId, 'utf8').digest('hex');

/**
 * `waymark customer erase`: Temporal first (a running journey is terminated before its data
 * goes, so no step writes after the rest is cleared), then their data keys (whatever copy of
 * their histories is left anywhere becomes unreadable), then the warehouse (found by the id and by
 * the profile's email, which is why the store goes after it), then the store, then the record.
 * Idempotent: a second erasure finds nothing and says so, and one that failed half way is
 * finished by running it again. A new event from the same id afterwards starts afresh.
 */
export async function eraseCustomer(client: Client, config: Config, store: Store, customerId: string, actor: string): Promise<ErasureReport> {
  const journeyIds = (await new JourneyStore(store).states()).map((s) => s.journeyId);
  // What a visitor did before identifying themselves is theirs too: the anonymous customers linked to them.
  const { rows: links } = await store.query<{ anonymous_id: string }>('SELECT anonymous_id FROM identity_aliases WHERE user_id = $1 ORDER BY anonymous_id', [customerId]);
  const anonymous = links.map((l) => anonymousCustomerId(l.anonymous_id));
  const runs: DeletedRun[] = [];
  for (const id of [customerId, ...anonymous]) runs.push(...(await deleteCustomerRuns(client, config.temporal.namespace, id, journeyIds, config.erasure.timeoutMs)));
  // Whether or not payload keys are set now: keys made while they were are destroyed all the same.
  const keys = new CustomerKeys(store, config);
  let dataKeys = 0;
  for (const id of [customerId, ...anonymous]) dataKeys += await keys.destroy(id);
  const { rows: profiles } = await store.query<{ email: string | null }>("SELECT contact->>'email' AS email FROM profiles WHERE customer_id = $1", [customerId]);
  const lease = warehouseLease(config);
  const jobKey = randomUUID();
  const warehouse = await lease
    .use(async (w) => eraseFromWarehouse(w, config.warehouse.datasetPrefix, await keysOf(w, customerId, profiles[0]?.email ?? undefined), jobKey))
    .finally(() => lease.close());
  const erased = await eraseFromStore(store, customerId);
  for (const id of anonymous) {
    const theirs = await eraseFromStore(store, id);
    for (const key of Object.keys(erased) as Array<keyof StoreErasure>) erased[key] += theirs[key];
  }
  const digest = customerDigest(customerId);
  const { rows } = await store.query<{ n: string }>('SELECT COUNT(*) AS n FROM erasures WHERE customer_digest = $1', [digest]);
  const report: ErasureReport = { runs, store: erased, anonymous: anonymous.length, dataKeys, warehouse, erasedBefore: Number(rows[0]!.n) };
  await store.query('INSERT INTO erasures (customer_digest, actor, report) VALUES ($1, $2, $3)', [digest, actor, JSON.stringify({ runs: runs.length, anonymous: anonymous.length, dataKeys, store: erased, warehouse })]);
  return report;
}
