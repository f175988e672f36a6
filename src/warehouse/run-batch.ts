import type { WarehouseTarget } from '../../workflows/pipeline/warehouse-remote';
import { loadSource, publish, quarantine, recordChecks, startBatch, type Batch } from './batch';
import { checkResults, quarantineReason, type CheckResult } from './check-results';
import type { DirectBuilds } from './dbt-direct';
import type { HealthParams } from './health-params';
import type { WarehouseLease } from './lease';

export type BatchOutcome =
  | { status: 'published'; batchId: string; rawRows: number; atRisk: number; attributes: number; checks: CheckResult[] }
  | { status: 'quarantined'; batchId: string; rawRows: number; reason: string; checks: CheckResult[] };

/** What a batch run directly needs: the warehouse (opened while the pipeline's own steps use it), dbt, and where dbt builds. */
export interface DirectRun {
  warehouse: WarehouseLease;
  dbt: DirectBuilds;
  target: WarehouseTarget;
  /** The health and lifecycle settings (config's `health`). */
  health: HealthParams;
}

/**
 * One batch's steps in order, with no Temporal: what the ingestion workflow does one activity at
 * a time (load raw, dbt's transform, the checks recorded, publish or quarantine, the history once
 * published), without the profiles and events. The benchmark's direct baseline and the tests use it.
 */
export async function runBatch({ warehouse, dbt, target, health }: DirectRun, batch: Batch): Promise<BatchOutcome> {
  const rawRows = await warehouse.use(async (w) => {
    await startBatch(w, batch, health);
    let rows = 0;
    for (const file of batch.files) rows += await loadSource(w, batch, file.source);
    return rows;
  });
  const request = { batchId: batch.batchId, target };
  const built = await dbt.run('transform', request);
  const outcome = await warehouse.use(async (w): Promise<BatchOutcome> => {
    const checks = await checkResults(w, built);
    await recordChecks(w, batch, checks);
    const failed = checks.filter((c) => c.failingRows > 0);
    if (failed.length) {
      const reason = quarantineReason(failed);
      await quarantine(w, batch, reason);
      return { status: 'quarantined', batchId: batch.batchId, rawRows, reason, checks };
    }
    return { status: 'published', batchId: batch.batchId, rawRows, ...(await publish(w, batch)), checks };
  });
  if (outcome.status === 'published') await dbt.run('history', request);
  return outcome;
}
