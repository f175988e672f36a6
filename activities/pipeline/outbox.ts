import { Context } from '@temporalio/activity';
import { outboxPage, type OutboxKind, type OutboxRow } from '../../src/warehouse/batch';
import type { Warehouse } from '../../src/warehouse/port';

const PAGE = 500;

/** How far a walk of the outbox got, kept in the activity's heartbeat so a retry resumes there. */
export interface OutboxProgress {
  step: string;
  done: number;
}

/**
 * Walks the batch's outbox rows of `kind` page by page, in a stable order. Progress (with
 * whatever `work` adds to it) is the heartbeat's detail: a retried attempt resumes after the last
 * page done instead of starting over.
 */
export async function walkOutbox<P extends OutboxProgress>(
  warehouse: Warehouse,
  batchId: string,
  kind: OutboxKind | undefined,
  start: P,
  work: (rows: OutboxRow[], progress: P) => Promise<void>,
): Promise<P> {
  const context = Context.current();
  const progress = { ...start, ...(context.info.heartbeatDetails as Partial<P> | undefined), step: start.step } as P;
  for (;;) {
    context.cancellationSignal.throwIfAborted();
    const rows = await outboxPage(warehouse, batchId, kind, progress.done, PAGE);
    await work(rows, progress);
    progress.done += rows.length;
    context.heartbeat(progress);
    if (rows.length < PAGE) return progress;
  }
}
