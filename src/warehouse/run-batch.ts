import { loadChecks, type CheckResult } from './checks';
import { transformModels } from './models';
import type { Warehouse } from './port';
import { buildModel, checkBatch, loadSource, publish, quarantine, recordChecks, startBatch, type Batch } from './batch';

export type BatchOutcome =
  | { status: 'published'; batchId: string; rawRows: number; atRisk: number; attributes: number; checks: CheckResult[] }
  | { status: 'quarantined'; batchId: string; rawRows: number; reason: string; checks: CheckResult[] };

/** Why a batch is held back: the failing checks, each with its count. */
export function quarantineReason(failed: CheckResult[]): string {
  return failed.map((c) => `${c.name}: ${c.failingRows} failing row${c.failingRows === 1 ? '' : 's'}`).join('; ');
}

/**
 * One batch's steps in order, in this process: what the ingestion workflow does one activity at
 * a time. The benchmark's direct baseline and the step tests use it.
 */
export async function runBatch(warehouse: Warehouse, batch: Batch): Promise<BatchOutcome> {
  await startBatch(warehouse, batch);
  let rawRows = 0;
  for (const file of batch.files) rawRows += await loadSource(warehouse, batch, file.source);
  for (const model of transformModels()) await buildModel(warehouse, batch, model);
  const checks: CheckResult[] = [];
  for (const check of loadChecks()) checks.push(await checkBatch(warehouse, batch, check));
  await recordChecks(warehouse, batch, checks);
  const failed = checks.filter((c) => c.failingRows > 0);
  if (failed.length) {
    const reason = quarantineReason(failed);
    await quarantine(warehouse, batch, reason);
    return { status: 'quarantined', batchId: batch.batchId, rawRows, reason, checks };
  }
  return { status: 'published', batchId: batch.batchId, rawRows, ...(await publish(warehouse, batch)), checks };
}
