import { replaceOutsideQuotes } from './sql-text';
import type { Warehouse } from './port';

/** The SQL names its datasets waymark_<layer>; a deployment may use another prefix (several environments in one project). */
const DATASET = /\bwaymark_(raw|load|build|staging|marts|ops|audit)\b/g;

/** The same warehouse, with every `waymark_<layer>` in SQL and table names read as `<prefix><layer>`. */
export function withDatasetPrefix(warehouse: Warehouse, prefix: string): Warehouse {
  if (prefix === 'waymark_') return warehouse;
  const rename = (sql: string) => replaceOutsideQuotes(sql, DATASET, (m) => `${prefix}${m[1]}`);
  return {
    engine: warehouse.engine,
    query: (sql, params) => warehouse.query(rename(sql), params),
    execute: (sql, options) => warehouse.execute(rename(sql), options),
    loadNdjson: (table, file, columns, jobId) => warehouse.loadNdjson(rename(table), file, columns, jobId),
    insertRows: (table, rows) => warehouse.insertRows(rename(table), rows),
    close: () => warehouse.close(),
  };
}
