-- The served tables, created empty the first time with the columns of this batch's build.
-- (A model whose columns change otherwise needs its served table dropped once; docs/warehouse.md.)
CREATE TABLE IF NOT EXISTS waymark_staging.identity_links AS SELECT * FROM waymark_build.identity_links WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_staging.customer_360 AS SELECT * FROM waymark_build.customer_360 WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_staging.events AS SELECT * FROM waymark_build.events WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.customer_health AS SELECT * FROM waymark_build.customer_health WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.ml_features AS SELECT * FROM waymark_build.ml_features WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.journey_performance AS SELECT * FROM waymark_build.journey_performance WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.campaign_performance AS SELECT * FROM waymark_build.campaign_performance WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.attribution AS SELECT * FROM waymark_build.attribution WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.lead_scoring AS SELECT * FROM waymark_build.lead_scoring WHERE FALSE;
CREATE TABLE IF NOT EXISTS waymark_marts.kpis AS SELECT * FROM waymark_build.kpis WHERE FALSE;
-- Columns added to a model since its served table was created (a model's new columns go last).
ALTER TABLE waymark_staging.customer_360 ADD COLUMN IF NOT EXISTS lifecycle_stage STRING;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS lifecycle_stage STRING;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS engaged_30d INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS bad_ratings INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS quiet_penalty INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS order_penalty INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS engagement_penalty INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS ticket_penalty INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS rating_penalty INT64;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMP;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS last_seen_source STRING;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS last_seen_batch STRING;
ALTER TABLE waymark_marts.customer_health ADD COLUMN IF NOT EXISTS batch_id STRING;
ALTER TABLE waymark_staging.events ADD COLUMN IF NOT EXISTS batch_id STRING;
ALTER TABLE waymark_staging.customer_360 ADD COLUMN IF NOT EXISTS revenue_to_date FLOAT64;
ALTER TABLE waymark_staging.customer_360 ADD COLUMN IF NOT EXISTS paid_orders_to_date INT64;
ALTER TABLE waymark_staging.customer_360 ADD COLUMN IF NOT EXISTS email_engagements INT64;
ALTER TABLE waymark_staging.customer_360 ADD COLUMN IF NOT EXISTS profile_completeness FLOAT64;
ALTER TABLE waymark_marts.campaign_performance ADD COLUMN IF NOT EXISTS revenue_last_touch FLOAT64;
ALTER TABLE waymark_marts.campaign_performance ADD COLUMN IF NOT EXISTS revenue_linear FLOAT64;
ALTER TABLE waymark_marts.campaign_performance ADD COLUMN IF NOT EXISTS roas FLOAT64;
ALTER TABLE waymark_marts.campaign_performance ADD COLUMN IF NOT EXISTS roi FLOAT64;
