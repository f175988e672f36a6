import type { Config } from '../../src/config';
import { OrderedPool } from '../../src/api/ordered-pool';
import { CustomerEvent } from '../../src/events/schema';
import type { OutboxKind, OutboxRow } from '../../src/warehouse/batch';
import type { Warehouse } from '../../src/warehouse/port';
import { walkOutbox } from './outbox';

/** How a pipeline hands an event to the customer routers: the event API's own path (src/events/intake.ts). */
export type SubmitEvent = (event: CustomerEvent) => Promise<unknown>;

/**
 * The event for one outbox row; its messageId is fixed by batch and customer, so a resend is
 * dropped by the router. The batch id is length-prefixed: no two (batch, customer) pairs share an id.
 * `attributes` rows became events only for runs started before attributes were merged into
 * profiles directly (see mergeAttributes); such a run may still be sending them.
 */
export function eventOf(row: OutboxRow, batchId: string, at: string): CustomerEvent {
  const atRisk = row.kind === 'health_at_risk';
  const type = atRisk ? 'health_at_risk' : 'warehouse_attributes_updated';
  const traits = { plan: row.plan, company_size: row.company_size, health_score: row.health_score, health_category: row.health_category };
  return CustomerEvent.parse({
    messageId: `warehouse:${type}:${batchId.length}:${batchId}:${row.customer_id}`,
    type,
    customerId: row.customer_id,
    timestamp: at,
    properties: atRisk ? { score: row.health_score, reasons: row.reasons, batchId } : { batchId },
    ...(atRisk ? {} : { context: { traits } }),
  });
}

/**
 * Sends the batch's outbox rows of `kind` (all rows when absent: runs started before the
 * attributes went to profiles directly) as events, WAYMARK_PIPELINE_EMIT_CONCURRENCY at a time,
 * in order per customer.
 */
export async function sendOutbox(warehouse: Warehouse, config: Config, batchId: string, kind: OutboxKind | undefined, submit: SubmitEvent): Promise<number> {
  const at = new Date().toISOString();
  const { done } = await walkOutbox(warehouse, batchId, kind, { step: 'send events', done: 0 }, async (rows) => {
    // A sliding window of sends (not lockstep batches waiting for their slowest).
    const pool = new OrderedPool(config.pipeline.emitConcurrency);
    const outcomes = await Promise.all(rows.map((row) => pool.add(row.customer_id, () => submit(eventOf(row, batchId, at)))));
    const failed = outcomes.find((o) => o.status === 'failed');
    if (failed) throw failed.error;
  });
  return done;
}
