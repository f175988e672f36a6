import { SOURCE_EXPORTS } from '../sources';
import { cutoffOf, type Batch } from '../batch';
import type { CheckResult } from '../check-results';
import { jobIdOf, type Warehouse } from '../port';
import { runCheck, type Check } from './checks';
import type { Model } from './models';

/**
 * The transform and checks steps as runs started before 'dbt' (December 2026) run them, frozen
 * (the pipeline worker runs legacy/sql itself). Delete with the rest of legacy/ once no such run
 * can be open.
 */

/** Views over raw without the rows of quarantined batches: what the models read. */
function acceptedViewsSql(): string {
  return SOURCE_EXPORTS.map(
    (s) =>
      `CREATE OR REPLACE VIEW waymark_build.accepted_${s.name} AS SELECT * FROM waymark_raw.${s.name} ` +
      `WHERE _batch_id NOT IN (SELECT batch_id FROM waymark_ops.batches WHERE status = 'quarantined');`,
  ).join('\n');
}

/** Transform: the views the models read, then one model (staging or mart) into waymark_build. */
export async function buildModel(warehouse: Warehouse, batch: Batch, model: Model): Promise<void> {
  const jobOf = (step: string) => jobIdOf(batch.batchId, batch.runId, step);
  if (model.name.startsWith('staging/00')) await warehouse.execute(acceptedViewsSql(), { jobId: jobOf('views') });
  const params = { batch_id: batch.batchId, as_of: batch.asOf, cutoff: cutoffOf(batch) };
  const code = model.sql.replace(/--.*$/gm, '');
  const used = Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`@${k}\\b`).test(code)));
  await warehouse.execute(model.sql, { jobId: jobOf(model.name), params: used });
}

export function checkBatch(warehouse: Warehouse, batch: Batch, check: Check): Promise<CheckResult> {
  return runCheck(warehouse, check, { batchId: batch.batchId, cutoff: cutoffOf(batch) });
}
