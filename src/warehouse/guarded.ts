import type { CircuitBreaker } from '../resilience/circuit-breaker';
import { WarehouseError, type Warehouse } from './port';

/**
 * The warehouse behind the worker's BigQuery breaker (WAYMARK_CIRCUIT_*): after repeated outages
 * (no answer in time, no connection, a 429 or 5xx: the adapter's retryable failures) every call
 * fails at once for the cool-down, as retryable with the cool-down's end as its next attempt, so a
 * pipeline step waits for BigQuery instead of spending each attempt's deadline on it. A refusal on
 * the merits (bad SQL, a bad export: not retryable) is no sign of an outage.
 */
export function withBreaker(warehouse: Warehouse, breaker: CircuitBreaker): Warehouse {
  async function guarded<T>(call: () => Promise<T>): Promise<T> {
    const gate = breaker.gate();
    if (gate.open) {
      const seconds = Math.ceil(gate.retryInMs / 1000);
      throw new WarehouseError(`the BigQuery circuit is open after repeated failures: no call for ${seconds}s more (WAYMARK_CIRCUIT_COOLDOWN)`, true, { retryAfterMs: gate.retryInMs });
    }
    try {
      const result = await call();
      breaker.success();
      return result;
    } catch (err) {
      if (err instanceof WarehouseError && !err.retryable) breaker.success();
      else breaker.failure();
      throw err;
    }
  }
  return {
    engine: warehouse.engine,
    query: (sql, params) => guarded(() => warehouse.query(sql, params)),
    execute: (sql, options) => guarded(() => warehouse.execute(sql, options)),
    loadNdjson: (table, file, columns, jobId) => guarded(() => warehouse.loadNdjson(table, file, columns, jobId)),
    insertRows: (table, rows) => guarded(() => warehouse.insertRows(table, rows)),
    close: () => warehouse.close(),
  };
}
