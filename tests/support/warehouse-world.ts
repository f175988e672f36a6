import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import { findBatch } from '../../src/warehouse/batch';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import type { Row, Warehouse } from '../../src/warehouse/port';
import { runBatch, type BatchOutcome } from '../../src/warehouse/run-batch';
import { writeExport, type ExportRow } from './exports';
import { directRunOn } from './warehouse-python';

/**
 * A warehouse of its own in a temporary folder (a DuckDB file, opened only while a batch step or a
 * query runs) and its landing folder: hand-made exports in, whole batches run by `dbt`.
 */
export function warehouseWorld(dbt: DirectBuilds, config?: Config) {
  const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'warehouse-world-'));
  const landingDir = path.join(dir, 'landing');
  const file = path.join(dir, 'warehouse.duckdb');
  const direct = directRunOn(file, dbt, config);
  const { warehouse } = direct;
  return {
    file,
    landingDir,
    export: (id: string, asOf: string, data: Partial<Record<string, ExportRow[]>>) => writeExport(landingDir, id, asOf, data),
    async run(id: string): Promise<BatchOutcome> {
      const batch = await warehouse.use((w) => findBatch(w, landingDir, randomUUID(), id));
      return runBatch(direct, batch!);
    },
    query: <T extends Row>(sql: string, params?: Record<string, string>) => warehouse.use((w) => w.query<T>(sql, params)),
    execute: (sql: string) => warehouse.use((w) => w.execute(sql, { jobId: randomUUID() })),
    use: <T>(work: (w: Warehouse) => Promise<T>) => warehouse.use(work),
  };
}

export type WarehouseWorld = ReturnType<typeof warehouseWorld>;

/** A batch's outcome as one line, with the reason of a quarantine (which a failed expectation then shows). */
export const said = (outcome: BatchOutcome) => (outcome.status === 'quarantined' ? `quarantined: ${outcome.reason}` : outcome.status);
