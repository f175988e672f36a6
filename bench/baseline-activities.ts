import type { Store } from '../src/store/store';

/**
 * The baseline's records: a table of the bench's own database, created when the bench starts
 * (not a migration: the product never has it). One row per customer, its time taken by the
 * server as local_messages takes it, so both paths' "done" times come from the same clock.
 */
export async function createBaselineTable(store: Store): Promise<void> {
  await store.query(`CREATE TABLE IF NOT EXISTS bench_baseline (
    customer_id text PRIMARY KEY,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`);
}

/**
 * The baseline's one activity: a tiny record written the way the local channel writes a message
 * (one INSERT ... ON CONFLICT DO NOTHING into the same PostgreSQL, through the same Store and pool
 * settings), so a retried activity records the customer once.
 */
export function baselineActivities(store: Store) {
  return {
    async recordCustomer(customerId: string): Promise<void> {
      await store.query('INSERT INTO bench_baseline (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO NOTHING', [customerId]);
    },
  };
}

export type BaselineActivities = ReturnType<typeof baselineActivities>;
