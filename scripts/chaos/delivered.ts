import type { Store } from '../../src/store/store';
import type { BrazeServer } from '../../tests/support/braze-server';
import { brazeSends } from './braze';

/** One message as the provider received it. */
export interface Delivery {
  customerId: string;
  /** Which message it is for that customer: the template (local), the email's subject (Braze, which gets no template id or send key). */
  message: string;
  /** What tells this delivery apart, for the examples: the send key and run (local), the arrival time and dispatch_id (Braze). */
  detail: string;
}

/** Where "delivered" is counted: what the provider received, whatever Waymark recorded about it. */
export interface Provider {
  name: 'local' | 'braze';
  /** Messages of customers whose id starts with `prefix`. */
  deliveries(prefix: string): Promise<Delivery[]>;
}

/** The local channel: rows of local_messages in the store (its primary key is the send key: one row per key at most). */
export function localProvider(store: Store): Provider {
  return {
    name: 'local',
    async deliveries(prefix) {
      const { rows } = await store.query<{ customer_id: string; template: string; send_key: string; run_id: string | null; recorded_at: Date }>(
        `SELECT customer_id, message->>'template' AS template, send_key, message->>'runId' AS run_id, recorded_at
         FROM local_messages WHERE starts_with(customer_id, $1) ORDER BY recorded_at`,
        [prefix],
      );
      return rows.map((r) => ({ customerId: r.customer_id, message: r.template, detail: `send key ${r.send_key}, run ${r.run_id}, recorded ${r.recorded_at.toISOString()}` }));
    },
  };
}

/** Braze: every /messages/send call the loopback server received (answered or cut off: a real Braze would have sent it). */
export function brazeProvider(server: BrazeServer): Provider {
  return {
    name: 'braze',
    async deliveries(prefix) {
      return brazeSends(server)
        .filter((s) => s.externalId.startsWith(prefix))
        .map((s) => ({ customerId: s.externalId, message: s.subject, detail: `received ${new Date(s.at).toISOString()}${s.dispatchId ? `, answered ${s.dispatchId}` : ', not answered'}` }));
    },
  };
}

export interface DeliveryCounts {
  delivered: number;
  /** Customers with at least one message. */
  reached: Set<string>;
  /** Deliveries beyond the first of one message to one customer. */
  duplicated: number;
  duplicates: Array<{ customerId: string; message: string; times: number; details: string[] }>;
}

/**
 * Counts `deliveries`: a message delivered more than once to one customer (the same template, or
 * at Braze the same subject) counts each delivery after the first as a duplicate. The run's only
 * message is onboarding's welcome (its next send is a day later), so this is also "more than one
 * welcome for one customer"; for the local channel it includes two send keys for one welcome
 * (a second journey run sends under its own key).
 */
export function countDeliveries(deliveries: Delivery[]): DeliveryCounts {
  const byMessage = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const key = JSON.stringify([d.customerId, d.message]);
    byMessage.set(key, [...(byMessage.get(key) ?? []), d]);
  }
  const duplicates = [...byMessage.values()].filter((ds) => ds.length > 1).map((ds) => ({ customerId: ds[0]!.customerId, message: ds[0]!.message, times: ds.length, details: ds.map((d) => d.detail) }));
  return {
    delivered: deliveries.length,
    reached: new Set(deliveries.map((d) => d.customerId)),
    duplicated: duplicates.reduce((sum, d) => sum + d.times - 1, 0),
    duplicates,
  };
}
