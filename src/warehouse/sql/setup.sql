-- The warehouse's datasets (DuckDB: schemas) and the pipeline's own bookkeeping tables.
-- Runs before every batch; every statement is a no-op once done.
CREATE SCHEMA IF NOT EXISTS waymark_raw;      -- exports as landed, all text, one table per export
CREATE SCHEMA IF NOT EXISTS waymark_load;     -- one batch's file, before it is merged into raw
CREATE SCHEMA IF NOT EXISTS waymark_build;    -- this batch's staging and marts, checked before publishing
CREATE SCHEMA IF NOT EXISTS waymark_staging;  -- published staging: customer_360, events
CREATE SCHEMA IF NOT EXISTS waymark_marts;    -- published marts: what journeys, models and reports read
CREATE SCHEMA IF NOT EXISTS waymark_ops;      -- batches, check results, events to send

CREATE TABLE IF NOT EXISTS waymark_ops.batches (
  batch_id STRING,
  as_of DATE,
  status STRING,        -- running | published | quarantined
  reason STRING,        -- why a batch was quarantined: the checks that failed
  updated_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS waymark_ops.batch_sources (
  batch_id STRING,
  source STRING,
  rows_loaded INT64
);
ALTER TABLE waymark_ops.batch_sources ADD COLUMN IF NOT EXISTS lines INT64;             -- non-blank lines in the file
ALTER TABLE waymark_ops.batch_sources ADD COLUMN IF NOT EXISTS unreadable_lines INT64;  -- of them, not JSON objects

-- What each run read in each export (src/warehouse/export-profile.ts), appended with insertIds:
-- every field with the rows carrying a value and its JSON types; what changed against the
-- declared fields and the last published batch; the lines that are not JSON objects (the first
-- WAYMARK_WAREHOUSE_REJECTED_KEEP per export and run, with their reason).
CREATE TABLE IF NOT EXISTS waymark_ops.export_fields (
  insert_id STRING, batch_id STRING, run_id STRING, source STRING, field STRING, rows_present INT64, types STRING
);
CREATE TABLE IF NOT EXISTS waymark_ops.schema_changes (
  insert_id STRING, batch_id STRING, run_id STRING, source STRING, field STRING,
  change_kind STRING,  -- added | missing | retyped
  detail STRING
);
CREATE TABLE IF NOT EXISTS waymark_ops.rejected_rows (
  insert_id STRING, batch_id STRING, run_id STRING, source STRING, line_number INT64, reason STRING, line_text STRING
);

-- One row per check per run of a batch; appended with insertIds (BigQuery cannot delete rows
-- still in its streaming buffer, so this table is never rewritten).
CREATE TABLE IF NOT EXISTS waymark_ops.check_results (
  insert_id STRING,
  batch_id STRING,
  run_id STRING,
  check_name STRING,
  failing_rows INT64,
  sample STRING
);
-- Added later (new columns go last, and every statement here must be a no-op once done).
ALTER TABLE waymark_ops.check_results ADD COLUMN IF NOT EXISTS advisory BOOL;  -- reported, never holds the batch
ALTER TABLE waymark_ops.batches ADD COLUMN IF NOT EXISTS quality_score INT64;  -- share of its checks passed, 0-100

-- What a published batch owes customers: attributes for their profiles, health_at_risk events for their routers.
CREATE TABLE IF NOT EXISTS waymark_ops.outbox (
  batch_id STRING,
  customer_id STRING,
  kind STRING,          -- health_at_risk | attributes
  email STRING,
  plan STRING,
  company_size STRING,
  health_score INT64,
  health_category STRING,
  reasons STRING
);
