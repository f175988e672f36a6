import { SOURCE_EXPORTS, loadColumns, rawColumns, type SourceExport } from './sources';

/**
 * The raw layer's mechanics, generated from the export declarations (sources.ts) because they
 * are the same for every export: create the table, merge a loaded file in by row key, and the
 * view of the rows not held back by a quarantine.
 */

/** A row's key: a digest of all its fields, plus its rank among identical rows, so a re-sent file adds nothing. */
function rowKey(source: SourceExport): string {
  const fields = source.fields.map((f) => `COALESCE(${f}, '\\u0000')`).join(", '|', ");
  const digest = `TO_HEX(MD5(CONCAT(${fields})))`;
  return `CONCAT(${digest}, '-', CAST(ROW_NUMBER() OVER (PARTITION BY ${digest}) AS STRING))`;
}

export function createRawSql(source: SourceExport): string {
  const columns = rawColumns(source).map((c) => `${c.name} ${c.type}`).join(', ');
  return `CREATE TABLE IF NOT EXISTS waymark_raw.${source.name} (${columns})`;
}

/** Merges waymark_load.<name> into waymark_raw.<name>: rows already there (same key) are skipped. */
export function mergeRawSql(source: SourceExport): string {
  const fields = loadColumns(source).map((c) => c.name);
  return `MERGE waymark_raw.${source.name} AS target
USING (
  SELECT *, ${rowKey(source)} AS _row_key, @batch_id AS _batch_id, SAFE_CAST(@loaded_at AS TIMESTAMP) AS _loaded_at
  FROM waymark_load.${source.name}
) AS incoming
ON target._row_key = incoming._row_key
WHEN NOT MATCHED THEN INSERT (${fields.join(', ')}, _row_key, _batch_id, _loaded_at)
VALUES (${fields.map((f) => `incoming.${f}`).join(', ')}, incoming._row_key, incoming._batch_id, incoming._loaded_at)`;
}

/** Views over raw without the rows of quarantined batches: what the models read. */
export function acceptedViewsSql(): string {
  return SOURCE_EXPORTS.map(
    (s) =>
      `CREATE OR REPLACE VIEW waymark_build.accepted_${s.name} AS SELECT * FROM waymark_raw.${s.name} ` +
      `WHERE _batch_id NOT IN (SELECT batch_id FROM waymark_ops.batches WHERE status = 'quarantined');`,
  ).join('\n');
}
