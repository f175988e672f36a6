import type { Config } from '../config';
import { openWarehouse } from '../warehouse/open';
import type { Warehouse } from '../warehouse/port';
import { duckDbSnapshots, SnapshotUnavailable } from '../warehouse/snapshot';
import { NoCustomerEventsError, readBacktestEvents, warehouseEventTypes, type BacktestEvents } from './backtest-events';
import { entryMatches } from './entry-matches';
import type { Journey } from './schema';

/** A backtest's customers and, when none sent an entry event, the warehouse's event types (what the journey could enter on). */
export type BacktestHistory = BacktestEvents & { types: string[] };

/**
 * The warehouse's events for a backtest of `journey` over its last `limit` customers: a DuckDB
 * warehouse is read from a copy of its file (src/warehouse/snapshot.ts), so a backtest never holds
 * up the pipeline; BigQuery is queried. A warehouse with no batch yet throws NoCustomerEventsError.
 */
export async function readBacktestHistory(config: Config, journey: Journey, limit: number): Promise<BacktestHistory> {
  const read = async (warehouse: Warehouse): Promise<BacktestHistory> => {
    const history = await readBacktestEvents(warehouse, journey, limit);
    return { ...history, types: history.customers.length ? [] : await warehouseEventTypes(warehouse) };
  };
  const w = config.warehouse;
  if (w.kind === 'duckdb') {
    try {
      return await duckDbSnapshots(w.duckdbFile, w.datasetPrefix).use(read);
    } catch (err) {
      if (err instanceof SnapshotUnavailable && err.code === 'missing') throw new NoCustomerEventsError(`no DuckDB file ${w.duckdbFile}`);
      throw err;
    }
  }
  const warehouse = await openWarehouse(config, { readOnly: true });
  try {
    return await read(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** Why a backtest has no one to follow: no customer of the warehouse sent the journey's entry event. */
export function noEntrantsMessage(journey: Journey, history: BacktestHistory): string {
  const entryTypes = [...new Set(entryMatches(journey).map((m) => m.event))];
  return `no customer in the warehouse sent ${entryTypes.join(' or ')}, the entry event(s) of ${journey.id}; the warehouse's event types: ${history.types.join(', ')}`;
}
