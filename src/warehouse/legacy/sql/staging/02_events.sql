-- Unified events: every customer action from every source, on one timeline.
-- Grain: one row per (source, event_id); customer_id and email are the person's (see customer_360). Rows re-sent by a source are kept once; rows whose
-- timestamp cannot be read are left out (the unreadable_* checks count them); late rows land
-- at the time they happened, whatever batch brought them.
CREATE OR REPLACE TABLE waymark_build.events AS
WITH shop_emails AS (
  SELECT source_id AS shop_id, email FROM waymark_build.identity_links WHERE source = 'shopify'
),
contact_emails AS (
  SELECT source_id AS contact_id, email FROM waymark_build.identity_links WHERE source = 'salesforce'
),
unified AS (
  SELECT 'ga360' AS source, hitId AS event_id, userId AS shop_id, CAST(NULL AS STRING) AS email,
    eventAction AS event_type, SAFE_CAST(hitTimestamp AS TIMESTAMP) AS occurred_at,
    CAST(NULL AS FLOAT64) AS revenue, utmCampaign AS campaign,
    CAST(NULL AS STRING) AS journey_id, CAST(NULL AS STRING) AS step, CAST(NULL AS STRING) AS variant
  FROM waymark_build.accepted_ga360_hits
  UNION ALL
  SELECT 'firebase', event_id, user_id, NULL, event_name, TIMESTAMP_MICROS(SAFE_CAST(event_timestamp AS INT64)),
    NULL, NULL, NULL, NULL, NULL
  FROM waymark_build.accepted_firebase_events
  UNION ALL
  SELECT 'shopify', id, customer_id, LOWER(TRIM(email)), 'order_placed', SAFE_CAST(created_at AS TIMESTAMP),
    IF(financial_status = 'paid', SAFE_CAST(total_price AS FLOAT64), 0), NULL, NULL, NULL, NULL
  FROM waymark_build.accepted_shopify_orders
  UNION ALL
  SELECT 'braze', id, external_id, LOWER(TRIM(email)), CONCAT('message_', event), SAFE_CAST(time AS TIMESTAMP),
    NULL, NULL, canvas_id, canvas_step_name, canvas_variation_name
  FROM waymark_build.accepted_braze_engagement
  UNION ALL
  SELECT 'zendesk', id, NULL, LOWER(TRIM(requester_email)), 'ticket_opened', SAFE_CAST(created_at AS TIMESTAMP),
    NULL, NULL, NULL, NULL, NULL
  FROM waymark_build.accepted_zendesk_tickets
),
resolved AS (
  SELECT
    -- The email on the row when it is one, else the email its source id is linked to.
    COALESCE(IF(REGEXP_CONTAINS(u.email, r'^[^@\s]+@[^@\s]+\.[a-z]+$'), u.email, NULL), s.email) AS email,
    u.source, u.event_id, u.event_type, u.occurred_at, u.revenue, u.campaign, u.journey_id, u.step, u.variant
  FROM unified AS u
  LEFT JOIN shop_emails AS s ON s.shop_id = u.shop_id
  WHERE u.occurred_at IS NOT NULL
)
SELECT
  CONCAT('cus_', SUBSTR(TO_HEX(MD5(email)), 1, 16)) AS customer_id,
  email, source, event_id, event_type, occurred_at, revenue, campaign, journey_id, step, variant
FROM resolved
WHERE email IS NOT NULL  -- anonymous visitors are not customers yet
QUALIFY ROW_NUMBER() OVER (PARTITION BY source, event_id ORDER BY occurred_at) = 1;
