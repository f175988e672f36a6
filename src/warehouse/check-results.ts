import { checksSaid, type BatchRef, type CheckOutcome } from '../../workflows/pipeline/contract';
import type { BuildResult } from '../../workflows/pipeline/warehouse-remote';
import type { RowLimits } from './batch';
import type { Warehouse } from './port';

/**
 * A check's outcome for the batch: zero failing rows is a pass. `sample`: a few failing rows, as
 * JSON, for the person deciding what to do with a quarantined batch.
 */
export type CheckResult = CheckOutcome;

const CHECK = /^checks\.(.+)$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The batch's checks from a transform: every dbt test (its failing rows, stored by dbt in the
 * audit dataset) and every source freshness measure, by name, with a sample of what failed; and
 * what the load read in each export (readChecks).
 */
export async function checkResults(warehouse: Warehouse, build: BuildResult, batch: BatchRef, limits: RowLimits): Promise<CheckResult[]> {
  const checks = Object.entries(build.done).filter(([item, o]) => CHECK.test(item) && (o.kind === 'test' || o.kind === 'freshness'));
  const results = await Promise.all(
    checks.map(async ([item, outcome]) => {
      const failingRows = outcome.failures ?? 0;
      let sample = outcome.sample ?? '[]';
      if (failingRows && outcome.relation) {
        const table = outcome.relation.table;
        if (!TABLE.test(table)) throw new Error(`${item}: dbt stored its failing rows in "${table}", not a table name`);
        // The layer's name: the warehouse adds the deployment's dataset prefix (src/warehouse/datasets.ts).
        sample = JSON.stringify(await warehouse.query(`SELECT * FROM waymark_audit.${table} LIMIT 3`));
      }
      return { name: CHECK.exec(item)![1]!, failingRows, sample, ...(outcome.advisory ? { advisory: true } : {}) };
    }),
  );
  results.push(...(await readChecks(warehouse, batch, limits)));
  return results.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Two checks per export of the batch, from what its load read (batch.ts loadSource):
 * `<export>_schema`, the fields added, missing or retyped (a warning: the batch is published, and
 * the change is for a person to look at); `<export>_readable_lines`, the lines that are not JSON
 * objects, which hold the batch only when their share passes `limits.unreadableMaxShare`.
 */
async function readChecks(warehouse: Warehouse, batch: BatchRef, limits: RowLimits): Promise<CheckResult[]> {
  const params = { batch_id: batch.batchId, run_id: batch.runId };
  const [changes, rejected, counts] = await Promise.all([
    warehouse.query<{ source: string; field: string; change_kind: string; detail: string }>(
      'SELECT source, field, change_kind, detail FROM waymark_ops.schema_changes WHERE run_id = @run_id ORDER BY source, field', { run_id: batch.runId }),
    warehouse.query<{ source: string; line_number: number; reason: string }>(
      'SELECT source, line_number, reason FROM waymark_ops.rejected_rows WHERE run_id = @run_id ORDER BY source, line_number', { run_id: batch.runId }),
    warehouse.query<{ source: string; lines: number | null; unreadable_lines: number | null }>(
      'SELECT source, lines, unreadable_lines FROM waymark_ops.batch_sources WHERE batch_id = @batch_id', params),
  ]);
  return batch.files.flatMap(({ source }) => {
    const changed = changes.filter((c) => c.source === source).map(({ field, change_kind, detail }) => ({ field, change: change_kind, detail }));
    const count = counts.find((c) => c.source === source);
    const unreadable = Number(count?.unreadable_lines ?? 0);
    const share = count?.lines ? unreadable / Number(count.lines) : 0;
    const lines = rejected.filter((r) => r.source === source).slice(0, 3).map(({ line_number, reason }) => ({ line: Number(line_number), reason }));
    return [
      { name: `${source}_schema`, failingRows: changed.length, sample: JSON.stringify(changed.slice(0, 3)), advisory: true },
      { name: `${source}_readable_lines`, failingRows: unreadable, sample: JSON.stringify(lines), ...(share <= limits.unreadableMaxShare ? { advisory: true } : {}) },
    ];
  });
}

/** Why a batch is held back: the failing checks, each with its count. */
export const quarantineReason = checksSaid;
