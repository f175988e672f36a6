import { loadColumns, rawColumns, type SourceExport } from './sources';

/**
 * The raw layer's mechanics, generated from the export declarations (sources.ts) because they
 * are the same for every export: create the table, and merge a loaded file in by row key. (The
 * views without the rows of quarantined batches are the dbt project's accepted_* models.)
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

/**
 * Merges waymark_load.<name> into waymark_raw.<name>: rows already there (same key) are skipped,
 * unless the batch that brought them was quarantined: those now belong to this batch, so a row
 * re-sent unchanged in a good export counts (otherwise the accepted_* views would leave it out
 * for ever, because its first batch was bad).
 */
export function mergeRawSql(source: SourceExport): string {
  const fields = loadColumns(source).map((c) => c.name);
  return `MERGE waymark_raw.${source.name} AS target
USING (
  SELECT keyed.*, quarantined.batch_id IS NOT NULL AS _was_quarantined
  FROM (
    SELECT *, ${rowKey(source)} AS _row_key, @batch_id AS _batch_id, SAFE_CAST(@loaded_at AS TIMESTAMP) AS _loaded_at
    FROM waymark_load.${source.name}
  ) AS keyed
  LEFT JOIN waymark_raw.${source.name} AS earlier ON earlier._row_key = keyed._row_key
  LEFT JOIN waymark_ops.batches AS quarantined ON quarantined.batch_id = earlier._batch_id AND quarantined.status = 'quarantined'
) AS incoming
ON target._row_key = incoming._row_key
WHEN MATCHED AND incoming._was_quarantined THEN UPDATE SET _batch_id = incoming._batch_id, _loaded_at = incoming._loaded_at
WHEN NOT MATCHED THEN INSERT (${fields.join(', ')}, _row_key, _batch_id, _loaded_at)
VALUES (${fields.map((f) => `incoming.${f}`).join(', ')}, incoming._row_key, incoming._batch_id, incoming._loaded_at)`;
}
