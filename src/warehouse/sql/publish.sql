-- Publishes a checked batch in one transaction: readers see the previous staging and marts or
-- this batch's, never a mix. Before replacing the marts it records what changed for customers
-- (the outbox), which the pipeline then sends to the customer routers.
-- Parameters: @batch_id, @now (text timestamp).
BEGIN TRANSACTION;

DELETE FROM waymark_ops.outbox WHERE batch_id = @batch_id;

-- Health crossed into at_risk since the last published batch (or first seen at risk).
INSERT INTO waymark_ops.outbox (batch_id, customer_id, kind, email, plan, company_size, health_score, health_category, reasons)
SELECT @batch_id, n.customer_id, 'health_at_risk', n.email, n.plan, n.company_size, n.score, n.category, n.reasons
FROM waymark_build.customer_health AS n
LEFT JOIN waymark_marts.customer_health AS o ON o.customer_id = n.customer_id
WHERE n.category = 'at_risk' AND (o.category IS NULL OR o.category != 'at_risk');

-- Attributes journeys branch on, for customers whose values changed.
INSERT INTO waymark_ops.outbox (batch_id, customer_id, kind, email, plan, company_size, health_score, health_category, reasons)
SELECT @batch_id, n.customer_id, 'attributes', n.email, n.plan, n.company_size, n.score, n.category, n.reasons
FROM waymark_build.customer_health AS n
LEFT JOIN waymark_marts.customer_health AS o ON o.customer_id = n.customer_id
WHERE o.customer_id IS NULL
  OR o.plan IS DISTINCT FROM n.plan
  OR o.company_size IS DISTINCT FROM n.company_size
  OR o.score IS DISTINCT FROM n.score
  OR o.category IS DISTINCT FROM n.category;

DELETE FROM waymark_staging.identity_links WHERE TRUE;
INSERT INTO waymark_staging.identity_links SELECT * FROM waymark_build.identity_links;
DELETE FROM waymark_staging.customer_360 WHERE TRUE;
INSERT INTO waymark_staging.customer_360 SELECT * FROM waymark_build.customer_360;
DELETE FROM waymark_staging.events WHERE TRUE;
INSERT INTO waymark_staging.events SELECT * FROM waymark_build.events;
DELETE FROM waymark_marts.customer_health WHERE TRUE;
INSERT INTO waymark_marts.customer_health SELECT * FROM waymark_build.customer_health;
DELETE FROM waymark_marts.ml_features WHERE TRUE;
INSERT INTO waymark_marts.ml_features SELECT * FROM waymark_build.ml_features;
DELETE FROM waymark_marts.journey_performance WHERE TRUE;
INSERT INTO waymark_marts.journey_performance SELECT * FROM waymark_build.journey_performance;
DELETE FROM waymark_marts.campaign_performance WHERE TRUE;
INSERT INTO waymark_marts.campaign_performance SELECT * FROM waymark_build.campaign_performance;
DELETE FROM waymark_marts.attribution WHERE TRUE;
INSERT INTO waymark_marts.attribution SELECT * FROM waymark_build.attribution;
DELETE FROM waymark_marts.lead_scoring WHERE TRUE;
INSERT INTO waymark_marts.lead_scoring SELECT * FROM waymark_build.lead_scoring;
DELETE FROM waymark_marts.kpis WHERE TRUE;
INSERT INTO waymark_marts.kpis SELECT * FROM waymark_build.kpis;

UPDATE waymark_ops.batches SET status = 'published', reason = NULL, updated_at = SAFE_CAST(@now AS TIMESTAMP) WHERE batch_id = @batch_id;

COMMIT TRANSACTION;
