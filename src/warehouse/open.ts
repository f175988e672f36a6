import type { Config } from '../config';
import { breakerFor } from '../resilience/breakers';
import { openBigQuery } from './bigquery';
import { withDatasetPrefix } from './datasets';
import { openDuckDb } from './duckdb';
import { withBreaker } from './guarded';
import { leaseWarehouse, type WarehouseLease } from './lease';
import type { Warehouse } from './port';

/** The adapter config picks; nothing else in the code knows which one it got. `readOnly`: a DuckDB file opened to look only. */
export async function openWarehouse(config: Config, options: { readOnly?: boolean } = {}): Promise<Warehouse> {
  const w = config.warehouse;
  if (w.kind === 'duckdb') return withDatasetPrefix(await openDuckDb(w.duckdbFile, options), w.datasetPrefix);
  const bigquery = openBigQuery({ projectId: w.bigqueryProject, location: w.bigqueryLocation, apiEndpoint: w.bigqueryEndpoint, jobTimeoutMs: w.jobTimeoutMs, requestTimeoutMs: w.requestTimeoutMs });
  const guarded = config.circuit.failures > 0 ? withBreaker(bigquery, breakerFor('bigquery', config.circuit)) : bigquery;
  return withDatasetPrefix(guarded, w.datasetPrefix);
}

/** The configured warehouse, opened while something uses it (a DuckDB file is then free for dbt between uses). */
export function warehouseLease(config: Config): WarehouseLease {
  return leaseWarehouse(config.warehouse.kind, () => openWarehouse(config));
}
