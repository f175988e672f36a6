-- The served tables, created empty the first time with the columns of this batch's build.
-- (A model whose columns change otherwise needs its served table dropped once; docs/warehouse.md.)
CREATE TABLE IF NOT EXISTS waymark_staging.customer_360 AS SELECT * FROM waymark_build.customer_360 WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_staging.events AS SELECT * FROM waymark_build.events WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.customer_health AS SELECT * FROM waymark_build.customer_health WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.ml_features AS SELECT * FROM waymark_build.ml_features WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.journey_performance AS SELECT * FROM waymark_build.journey_performance WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.campaign_performance AS SELECT * FROM waymark_build.campaign_performance WHERE FALSE;
-- Columns added to a model since its served table was created (a model's new columns go last).
ALTER TABLE waymark_staging.customer_360 ADD COLUMN IF NOT EXISTS lifecycle_stage STRING;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS lifecycle_stage STRING;
