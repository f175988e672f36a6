import { holdingChecks, qualityScore, warningChecks } from '../../workflows/pipeline/contract';
import type { WarehouseTarget } from '../../workflows/pipeline/warehouse-remote';
import { loadSource, publish, quarantine, recordChecks, startBatch, type Batch, type RowLimits } from './batch';
import { checkResults, quarantineReason, type CheckResult } from './check-results';
import type { DirectBuilds } from './dbt-direct';
import type { HealthParams } from './health-params';
import type { WarehouseLease } from './lease';

export type BatchOutcome =
  | { status: 'published'; batchId: string; rawRows: number; atRisk: number; attributes: number; checks: CheckResult[]; quality: number; warnings?: string }
  | { status: 'quarantined'; batchId: string; rawRows: number; reason: string; checks: CheckResult[]; quality: number };

/** What a batch run directly needs: the warehouse (opened while the pipeline's own steps use it), dbt, and where dbt builds. */
export interface DirectRun {
  warehouse: WarehouseLease;
  dbt: DirectBuilds;
  target: WarehouseTarget;
  /** The health and lifecycle settings (config's `health`). */
  health: HealthParams;
  /** Each export's freshness warning, in hours (config's `warehouse.sourceFreshnessMs`); absent: dbt's default, 24. */
  sourceFreshnessHours?: number;
  /** Unreadable lines: what is kept, and the share that holds the batch (config's `warehouse.rows`). */
  rowLimits: RowLimits;
}

/**
 * One batch's steps in order, with no Temporal: what the ingestion workflow does one activity at
 * a time (load raw, dbt's transform, the checks recorded, publish or quarantine, the history once
 * published), without the profiles and events. The benchmark's direct baseline and the tests use it.
 */
export async function runBatch({ warehouse, dbt, target, health, sourceFreshnessHours, rowLimits }: DirectRun, batch: Batch): Promise<BatchOutcome> {
  const rawRows = await warehouse.use(async (w) => {
    await startBatch(w, batch, health);
    let rows = 0;
    for (const file of batch.files) rows += await loadSource(w, batch, file.source, rowLimits);
    return rows;
  });
  const request = { batchId: batch.batchId, target, ...(sourceFreshnessHours ? { sourceFreshnessHours } : {}) };
  const built = await dbt.run('transform', request);
  const outcome = await warehouse.use(async (w): Promise<BatchOutcome> => {
    const checks = await checkResults(w, built, batch, rowLimits);
    await recordChecks(w, batch, checks);
    const failed = holdingChecks(checks);
    const quality = qualityScore(checks);
    if (failed.length) {
      const reason = quarantineReason(failed);
      await quarantine(w, batch, reason);
      return { status: 'quarantined', batchId: batch.batchId, rawRows, reason, checks, quality };
    }
    const warnings = warningChecks(checks);
    return { status: 'published', batchId: batch.batchId, rawRows, ...(await publish(w, batch)), checks, quality, ...(warnings.length ? { warnings: quarantineReason(warnings) } : {}) };
  });
  if (outcome.status === 'published') await dbt.run('history', request);
  return outcome;
}
