import type { BuildResult } from '../../workflows/pipeline/warehouse-remote';
import type { Warehouse } from './port';

/** A check's outcome for the batch: zero failing rows is a pass. */
export interface CheckResult {
  name: string;
  failingRows: number;
  /** A few failing rows, as JSON, for the person deciding what to do with a quarantined batch. */
  sample: string;
}

const CHECK = /^checks\.(.+)$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The batch's checks from a transform: every dbt test (its failing rows, stored by dbt in the
 * audit dataset) and every source freshness measure, by name, with a sample of what failed.
 */
export async function checkResults(warehouse: Warehouse, build: BuildResult): Promise<CheckResult[]> {
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
      return { name: CHECK.exec(item)![1]!, failingRows, sample };
    }),
  );
  return results.sort((a, b) => a.name.localeCompare(b.name));
}

/** Why a batch is held back: the failing checks, each with its count. */
export function quarantineReason(failed: CheckResult[]): string {
  return failed.map((c) => `${c.name}: ${c.failingRows} failing row${c.failingRows === 1 ? '' : 's'}`).join('; ');
}
