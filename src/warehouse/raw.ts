import { loadColumns, rawColumns, type SourceExport } from './sources';

/**
 * The raw layer's mechanics, generated from the export declarations (sources.ts) because they
 * are the same for every export: create the table, and merge a loaded file in by row key. (The
 * views without the rows of quarantined batches are the dbt project's accepted_* models.)
 */

/**
 * Keys of this format start with it; keys of the earlier format (fields joined with "|", which
 * two different rows could share) are rewritten once, before the next merge (rewriteOldKeysSql).
 */
const KEY_FORMAT = 'k2.';

/**
 * A digest of all of a row's fields, injective before hashing: each field is written as its length,
 * ":", and itself, or "-" when null (a length never starts with "-"), so no two rows share the text.
 */
function digestOf(source: SourceExport): string {
  const fields = source.fields.map((f) => `COALESCE(CONCAT(CAST(LENGTH(${f}) AS STRING), ':', ${f}), '-')`).join(', ');
  return `TO_HEX(MD5(CONCAT(${fields})))`;
}

/** A row's key: the digest of its fields, plus its rank among identical rows, so a re-sent file adds nothing. */
function rowKey(source: SourceExport): string {
  const digest = digestOf(source);
  return `CONCAT('${KEY_FORMAT}', ${digest}, '-', CAST(ROW_NUMBER() OVER (PARTITION BY ${digest}) AS STRING))`;
}

/**
 * Rewrites keys of the earlier format to this one, keeping each row's rank (the text after "-"):
 * identical rows had the same digest before and have the same one now. A no-op once done.
 */
export function rewriteOldKeysSql(source: SourceExport): string {
  return `UPDATE waymark_raw.${source.name}
SET _row_key = CONCAT('${KEY_FORMAT}', ${digestOf(source)}, SUBSTR(_row_key, STRPOS(_row_key, '-')))
WHERE NOT STARTS_WITH(_row_key, '${KEY_FORMAT}')`;
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
