import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { findBatch } from '../../src/warehouse/batch';
import { startDirectBuilds } from '../../src/warehouse/dbt-direct';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { leaseWarehouse } from '../../src/warehouse/lease';
import { runBatch } from '../../src/warehouse/run-batch';

/**
 * Runs one batch in a process of its own (its TZ, and that of the dbt process it starts, is the
 * test's to set), then prints the published customer_health as one JSON line:
 * `node --import tsx this LANDING_DIR BATCH_ID DUCKDB_FILE`.
 */
async function main(): Promise<void> {
  const [landingDir, batchId, file] = process.argv.slice(2) as [string, string, string];
  const warehouse = leaseWarehouse('duckdb', () => openDuckDb(file));
  const dbt = await startDirectBuilds();
  try {
    const batch = await warehouse.use((w) => findBatch(w, landingDir, randomUUID(), batchId));
    const outcome = await runBatch({ warehouse, dbt, target: { kind: 'duckdb', duckdbFile: file, datasetPrefix: 'waymark_' }, health: loadConfig().health, rowLimits: loadConfig().warehouse.rows }, batch!);
    const health = await warehouse.use((w) => w.query('SELECT * FROM waymark_marts.customer_health ORDER BY customer_id'));
    console.log(JSON.stringify({ status: outcome.status, health }));
  } finally {
    await dbt.close();
    await warehouse.close();
  }
}

void main();
