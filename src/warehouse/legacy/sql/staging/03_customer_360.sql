-- Customer 360: one row per person, whichever sources know them.
-- Identity: the normalised email, reached directly or through a source's own id (identity_links);
-- customer_id is derived from that email, so it stays the same from batch to batch.
-- Attributes come from the freshest Salesforce contact record.
CREATE OR REPLACE TABLE waymark_build.customer_360 AS
WITH contacts AS (
  SELECT
    Id AS contact_id, LOWER(TRIM(Email)) AS email, FirstName AS first_name, LastName AS last_name,
    AccountName AS company, LOWER(TRIM(Plan__c)) AS plan, SAFE_CAST(NumberOfEmployees AS INT64) AS employees
  FROM waymark_build.accepted_salesforce_contacts
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY Id ORDER BY SAFE_CAST(LastModifiedDate AS TIMESTAMP) DESC) = 1
),
people AS (
  SELECT email FROM waymark_build.identity_links
  UNION DISTINCT
  SELECT email FROM waymark_build.events
  UNION DISTINCT
  SELECT LOWER(TRIM(requester_email)) FROM waymark_build.accepted_zendesk_tickets
  WHERE REGEXP_CONTAINS(LOWER(TRIM(requester_email)), r'^[^@\s]+@[^@\s]+\.[a-z]+$')
),
seen_in AS (
  SELECT customer_id, source, MIN(occurred_at) AS first_seen, MAX(occurred_at) AS last_seen
  FROM waymark_build.events GROUP BY customer_id, source
),
crm AS (
  SELECT CONCAT('cus_', SUBSTR(TO_HEX(MD5(email)), 1, 16)) AS customer_id, 'salesforce' AS source
  FROM waymark_build.identity_links WHERE source IN ('salesforce', 'salesforce_lead')
),
shop_ids AS (
  SELECT email, MIN(source_id) AS shopify_customer_id FROM waymark_build.identity_links WHERE source = 'shopify' GROUP BY email
),
span AS (
  SELECT customer_id, MIN(first_seen) AS first_seen_at, MAX(last_seen) AS last_seen_at FROM seen_in GROUP BY customer_id
),
sources AS (
  SELECT customer_id, STRING_AGG(DISTINCT source, ',' ORDER BY source) AS sources, COUNT(DISTINCT source) AS source_count
  FROM (SELECT customer_id, source FROM seen_in UNION ALL SELECT customer_id, source FROM crm)
  GROUP BY customer_id
)
SELECT
  CONCAT('cus_', SUBSTR(TO_HEX(MD5(p.email)), 1, 16)) AS customer_id,
  p.email,
  c.first_name,
  c.last_name,
  c.company,
  c.contact_id AS salesforce_contact_id,
  sh.shopify_customer_id,
  COALESCE(c.plan, 'unknown') AS plan,
  CASE
    WHEN c.employees IS NULL THEN 'unknown'
    WHEN c.employees <= 10 THEN '1-10'
    WHEN c.employees <= 50 THEN '11-50'
    WHEN c.employees <= 200 THEN '51-200'
    WHEN c.employees <= 1000 THEN '201-1000'
    ELSE '1000+'
  END AS company_size,
  s.sources,
  IFNULL(s.source_count, 0) AS source_count,
  sp.first_seen_at,
  sp.last_seen_at
FROM people AS p
LEFT JOIN contacts AS c ON c.email = p.email
LEFT JOIN shop_ids AS sh ON sh.email = p.email
LEFT JOIN sources AS s ON s.customer_id = CONCAT('cus_', SUBSTR(TO_HEX(MD5(p.email)), 1, 16))
LEFT JOIN span AS sp ON sp.customer_id = CONCAT('cus_', SUBSTR(TO_HEX(MD5(p.email)), 1, 16))
WHERE TRUE
-- One person, one row: a second contact record with the same email does not make a second customer.
QUALIFY ROW_NUMBER() OVER (PARTITION BY p.email ORDER BY c.contact_id) = 1;
