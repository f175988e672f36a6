import type { Config } from '../config';
import type { Logger } from '../logger';
import { leaseWarehouse } from '../warehouse/lease';
import { openWarehouse } from '../warehouse/open';
import { duckDbSnapshots } from '../warehouse/snapshot';
import { journeyKpis, type JourneyWarehouseKpis, type KpiOptions } from './warehouse-kpis';

/** A journey's warehouse KPIs, or why there are none: what the results reader adds to its answer. */
export type WarehouseKpisReader = (journeyId: string) => Promise<JourneyWarehouseKpis>;

/**
 * The configured warehouse's KPIs for the API and the CLI. DuckDB: read from a copy of the file
 * (src/warehouse/snapshot.ts), so the pipeline never finds it held; an answer is kept until the
 * file changes, so pages asking again copy nothing. BigQuery: a query per answer, each call bounded
 * by the KPI timeout rather than the pipeline's job timeouts.
 */
export function warehouseKpisReader(config: Config, logger?: Pick<Logger, 'warn'>): WarehouseKpisReader {
  const options: KpiOptions = { timeoutMs: config.results.warehouseTimeoutMs, logger };
  const w = config.warehouse;
  if (w.kind === 'bigquery') {
    const timeoutMs = Math.min(config.results.warehouseTimeoutMs, w.jobTimeoutMs);
    const bounded: Config = { ...config, warehouse: { ...w, jobTimeoutMs: timeoutMs, requestTimeoutMs: Math.min(timeoutMs, w.requestTimeoutMs) } };
    const bigquery = leaseWarehouse('bigquery', () => openWarehouse(bounded));
    return (journeyId) => journeyKpis(bigquery, journeyId, options);
  }
  const snapshots = duckDbSnapshots(w.duckdbFile, w.datasetPrefix);
  let kept: { stamp: string; answers: Map<string, JourneyWarehouseKpis> } | undefined;
  return async (journeyId) => {
    const stamp = await snapshots.stamp().catch(() => undefined);
    const hit = stamp !== undefined && kept?.stamp === stamp ? kept.answers.get(journeyId) : undefined;
    if (hit) return hit;
    const answer = await journeyKpis(snapshots, journeyId, options);
    // Kept under the stamp seen before the copy: the copy is that state or newer, so at worst one copy too many.
    const lasting = !answer.unavailable || answer.unavailable.code === 'no_batch';
    if (stamp !== undefined && lasting) {
      if (kept?.stamp !== stamp) kept = { stamp, answers: new Map() };
      kept.answers.set(journeyId, answer);
    }
    return answer;
  };
}
