import type { Config } from '../config';
import type { WarehouseBuild, WarehouseTarget } from '../../workflows/pipeline/warehouse-remote';

/** Where dbt builds, from Waymark's config: the same warehouse the pipeline worker loads and publishes. */
export function warehouseTarget(config: Config): WarehouseTarget {
  const w = config.warehouse;
  if (w.kind === 'duckdb') return { kind: 'duckdb', duckdbFile: w.duckdbFile, datasetPrefix: w.datasetPrefix };
  return {
    kind: 'bigquery',
    project: w.bigqueryProject,
    location: w.bigqueryLocation,
    datasetPrefix: w.datasetPrefix,
    threads: w.bigqueryThreads,
    jobTimeoutSeconds: Math.ceil(w.jobTimeoutMs / 1000),
    ...(w.bigqueryEndpoint ? { endpoint: w.bigqueryEndpoint } : {}),
  };
}

/** What a run needs to have dbt build its batch: the Python worker's queue and the request. */
export function warehouseBuild(config: Config, batchId: string): WarehouseBuild {
  return { taskQueue: config.warehouse.taskQueue, request: { batchId, target: warehouseTarget(config), sourceFreshnessHours: config.warehouse.sourceFreshnessMs / 3_600_000 } };
}
