import type { Store } from '../store/store';

/** Rows removed from the store, per table. */
export interface StoreErasure {
  profiles: number;
  sends: number;
  messages: number;
  identityLinks: number;
  features: number;
  audiences: number;
  /** Journey enrolments and the steps recorded for them (the path projection). */
  enrolments: number;
}

/**
 * Removes everything the store holds about a customer, in one transaction: the profile (traits,
 * contact fields, consent), the send ledger's rows (with any generated content), the local
 * channel's messages, the anonymous ids linked to them (or the id itself as an anonymous id), and
 * the model features kept for scoring them, their audience memberships, and their journeys' paths.
 */
export async function eraseFromStore(store: Store, customerId: string): Promise<StoreErasure> {
  return store.transaction(async (client) => {
    const count = async (sql: string) => (await client.query(sql, [customerId])).rowCount ?? 0;
    return {
      profiles: await count('DELETE FROM profiles WHERE customer_id = $1'),
      sends: await count('DELETE FROM send_ledger WHERE customer_id = $1'),
      messages: await count('DELETE FROM local_messages WHERE customer_id = $1'),
      identityLinks: await count('DELETE FROM identity_aliases WHERE user_id = $1 OR anonymous_id = $1'),
      features: await count('DELETE FROM customer_features WHERE customer_id = $1'),
      audiences: await count('DELETE FROM audience_members WHERE customer_id = $1'),
      enrolments: await count('WITH steps AS (DELETE FROM journey_path WHERE customer_id = $1) DELETE FROM journey_enrolments WHERE customer_id = $1'),
    };
  });
}
