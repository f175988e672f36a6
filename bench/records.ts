import type { Store } from '../src/store/store';
import { percentile } from './load';

/**
 * What the bench watches to know work is done, in the bench's store: the local channel's
 * messages (local_messages, the template in each message) and the baseline's records
 * (bench_baseline). One COUNT per progress tick; the times are read once, at the end of a phase,
 * for the latencies. Both tables take their times from the server's clock (clock_timestamp()).
 */

/** The first message onboarding sends a new customer. */
export const FIRST_MESSAGE = 'onboarding-welcome';

const count = async (store: Store, sql: string, values: unknown[] = []) => Number((await store.query<{ n: string }>(sql, values)).rows[0]!.n);
const timesOf = (rows: Array<{ customer_id: string; at: Date }>) => new Map(rows.map((r) => [r.customer_id, r.at.getTime()]));

/** Customers whose first message was recorded so far (each new customer gets one; its send key keeps a retry from recording it twice). */
export const countFirstMessages = (store: Store) => count(store, `SELECT count(*) AS n FROM local_messages WHERE message->>'template' = $1`, [FIRST_MESSAGE]);

/** Customers the baseline recorded so far. */
export const countBaselineRecords = (store: Store) => count(store, 'SELECT count(*) AS n FROM bench_baseline');

/** When each customer whose id starts with `prefix` got its first message, in ms since the epoch. */
export async function firstMessageTimes(store: Store, prefix: string): Promise<Map<string, number>> {
  const { rows } = await store.query<{ customer_id: string; at: Date }>(
    `SELECT customer_id, min(recorded_at) AS at FROM local_messages
     WHERE message->>'template' = $1 AND starts_with(customer_id, $2) GROUP BY customer_id`,
    [FIRST_MESSAGE, prefix],
  );
  return timesOf(rows);
}

/** When the baseline recorded each customer whose id starts with `prefix`. */
export async function baselineTimes(store: Store, prefix: string): Promise<Map<string, number>> {
  const { rows } = await store.query<{ customer_id: string; at: Date }>('SELECT customer_id, recorded_at AS at FROM bench_baseline WHERE starts_with(customer_id, $1)', [prefix]);
  return timesOf(rows);
}

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Percentiles of done - accepted, over the customers both maps know. */
export function latencies(accepted: Map<string, number>, done: Map<string, number>): Latencies {
  const ms = [...accepted].flatMap(([id, t]) => (done.has(id) ? [done.get(id)! - t] : [])).sort((a, b) => a - b);
  return { count: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
}
