-- Journey performance: what a marketing team reports per journey, step and variant.
-- Grain: one row per (journey_id, step, variant) seen in Braze engagement.
-- Conversions: a paid order within 7 days after a send, credited to the latest send before it
-- (last touch), so an order is counted once.
CREATE OR REPLACE TABLE waymark_build.journey_performance AS
WITH engagement AS (
  SELECT
    journey_id, step, variant,
    COUNTIF(event_type = 'message_send') AS sends,
    COUNTIF(event_type = 'message_open') AS opens,
    COUNTIF(event_type = 'message_click') AS clicks
  FROM waymark_build.events
  WHERE journey_id IS NOT NULL
  GROUP BY journey_id, step, variant
),
credited AS (
  SELECT s.journey_id, s.step, s.variant, o.event_id AS order_id, o.revenue
  FROM waymark_build.events AS o
  JOIN waymark_build.events AS s
    ON s.customer_id = o.customer_id
    AND s.event_type = 'message_send'
    AND s.occurred_at <= o.occurred_at
    AND o.occurred_at < TIMESTAMP_ADD(s.occurred_at, INTERVAL 7 DAY)
  WHERE o.event_type = 'order_placed' AND o.revenue > 0
  QUALIFY ROW_NUMBER() OVER (PARTITION BY o.event_id ORDER BY s.occurred_at DESC, s.journey_id, s.step) = 1
),
conversions AS (
  SELECT journey_id, step, variant, COUNT(*) AS conversions, SUM(revenue) AS revenue
  FROM credited GROUP BY journey_id, step, variant
)
SELECT
  e.journey_id, e.step, e.variant, e.sends, e.opens, e.clicks,
  IFNULL(c.conversions, 0) AS conversions,
  ROUND(IFNULL(c.revenue, 0), 2) AS revenue,
  ROUND(SAFE_DIVIDE(e.opens, e.sends), 4) AS open_rate,
  ROUND(SAFE_DIVIDE(e.clicks, e.sends), 4) AS click_rate,
  ROUND(SAFE_DIVIDE(IFNULL(c.conversions, 0), e.sends), 4) AS conversion_rate
FROM engagement AS e
LEFT JOIN conversions AS c ON c.journey_id = e.journey_id AND c.step = e.step AND c.variant = e.variant;
