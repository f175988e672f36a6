import { Context } from '@temporalio/activity';
import { OrderedPool } from '../../src/api/ordered-pool';
import type { Config } from '../../src/config';
import { CustomerEvent } from '../../src/events/schema';
import { outboxPage, type OutboxRow } from '../../src/warehouse/batch';
import type { Warehouse } from '../../src/warehouse/port';

/** How a pipeline hands an event to the customer routers: the event API's own path (src/events/intake.ts). */
export type SubmitEvent = (event: CustomerEvent) => Promise<unknown>;

const PAGE = 500;

/**
 * The event for one outbox row; its messageId is fixed by batch and customer, so a resend is
 * dropped by the router. The batch id is length-prefixed: no two (batch, customer) pairs share an id.
 */
export function eventOf(row: OutboxRow, batchId: string, at: string): CustomerEvent {
  const traits = { plan: row.plan, company_size: row.company_size, health_score: row.health_score, health_category: row.health_category };
  const type = row.kind === 'health_at_risk' ? 'health_at_risk' : 'warehouse_attributes_updated';
  return CustomerEvent.parse({
    messageId: `warehouse:${type}:${batchId.length}:${batchId}:${row.customer_id}`,
    type,
    customerId: row.customer_id,
    timestamp: at,
    properties: row.kind === 'health_at_risk' ? { score: row.health_score, reasons: row.reasons, batchId } : { batchId },
    context: { traits },
  });
}

/**
 * Sends the batch's outbox, page by page, WAYMARK_PIPELINE_EMIT_CONCURRENCY events at a time.
 * Progress is the heartbeat's detail, so a retry resumes after the last page sent rather than
 * from the start.
 */
export async function sendOutbox(warehouse: Warehouse, config: Config, batchId: string, submit: SubmitEvent): Promise<number> {
  const context = Context.current();
  let offset = (context.info.heartbeatDetails as { sent?: number } | undefined)?.sent ?? 0;
  const at = new Date().toISOString();
  for (;;) {
    context.cancellationSignal.throwIfAborted();
    const rows = await outboxPage(warehouse, batchId, offset, PAGE);
    // A sliding window of sends (not lockstep batches waiting for their slowest), in order per customer.
    const pool = new OrderedPool(config.pipeline.emitConcurrency);
    const outcomes = await Promise.all(rows.map((row) => pool.add(row.customer_id, () => submit(eventOf(row, batchId, at)))));
    const failed = outcomes.find((o) => o.status === 'failed');
    if (failed) throw failed.error;
    offset += rows.length;
    context.heartbeat({ step: 'send events', sent: offset });
    if (rows.length < PAGE) return offset;
  }
}
