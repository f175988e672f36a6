-- Identity links: the normalised email each source's own customer id belongs to.
-- Grain: one row per (source, source_id). Sources that carry both an id and an email vouch for
-- the link; an id seen with several emails keeps the one it was seen with most often.
CREATE OR REPLACE TABLE waymark_build.identity_links AS
WITH pairs AS (
  SELECT 'shopify' AS source, customer_id AS source_id, LOWER(TRIM(email)) AS email FROM waymark_build.accepted_shopify_orders
  UNION ALL
  SELECT 'braze', external_id, LOWER(TRIM(email)) FROM waymark_build.accepted_braze_engagement
  UNION ALL
  SELECT 'salesforce', Id, LOWER(TRIM(Email)) FROM waymark_build.accepted_salesforce_contacts
  UNION ALL
  SELECT 'salesforce_lead', Id, LOWER(TRIM(Email)) FROM waymark_build.accepted_salesforce_leads
),
counted AS (
  SELECT source, source_id, email, COUNT(*) AS seen
  FROM pairs
  WHERE source_id IS NOT NULL AND REGEXP_CONTAINS(email, r'^[^@\s]+@[^@\s]+\.[a-z]+$')
  GROUP BY source, source_id, email
)
SELECT
  -- Shopify and Braze share one id: Braze's external_id is the shop's customer id.
  IF(source = 'braze', 'shopify', source) AS source,
  source_id,
  email
FROM counted
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY IF(source = 'braze', 'shopify', source), source_id ORDER BY seen DESC, email) = 1;
