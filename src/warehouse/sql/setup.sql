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
