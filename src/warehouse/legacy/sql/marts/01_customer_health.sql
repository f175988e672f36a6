-- Customer health as of the batch's date: a score from 0 to 100, a category, and the reasons.
-- Grain: one row per customer in customer_360.
-- As of: waymark_build.batch_params (the batch's date, and the first instant after it).
-- Score: 100, less a penalty per warning sign; healthy >= 70, watch >= 40, at_risk below.
CREATE OR REPLACE TABLE waymark_build.customer_health AS
WITH params AS (
  SELECT as_of, cutoff FROM waymark_build.batch_params
),
activity AS (
  SELECT
    customer_id,
    MAX(occurred_at) AS last_seen,
    COUNTIF(event_type = 'order_placed' AND occurred_at >= TIMESTAMP_SUB(p.cutoff, INTERVAL 90 DAY)) AS orders_90d,
    COUNTIF(event_type IN ('message_open', 'message_click') AND occurred_at >= TIMESTAMP_SUB(p.cutoff, INTERVAL 30 DAY)) AS engaged_30d
  FROM waymark_build.events
  CROSS JOIN params AS p
  WHERE occurred_at < p.cutoff
  GROUP BY customer_id
),
support AS (
  SELECT
    LOWER(TRIM(requester_email)) AS email,
    COUNTIF(status IN ('new', 'open', 'pending')) AS open_tickets,
    COUNTIF(satisfaction_rating = 'bad') AS bad_ratings
  FROM waymark_build.accepted_zendesk_tickets
  GROUP BY 1
),
signals AS (
  SELECT
    c.customer_id, c.email, c.plan, c.company_size, p.as_of,
    DATE_DIFF(p.as_of, DATE(a.last_seen), DAY) AS days_quiet,
    IFNULL(a.orders_90d, 0) AS orders_90d,
    IFNULL(a.engaged_30d, 0) AS engaged_30d,
    IFNULL(t.open_tickets, 0) AS open_tickets,
    IFNULL(t.bad_ratings, 0) AS bad_ratings
  FROM waymark_build.customer_360 AS c
  CROSS JOIN params AS p
  LEFT JOIN activity AS a ON a.customer_id = c.customer_id
  LEFT JOIN support AS t ON t.email = c.email
),
scored AS (
  SELECT
    *,
    GREATEST(0, 100
      - CASE WHEN days_quiet IS NULL OR days_quiet > 30 THEN 40 WHEN days_quiet > 14 THEN 20 ELSE 0 END
      - IF(orders_90d = 0, 20, 0)
      - IF(engaged_30d = 0, 10, 0)
      - LEAST(open_tickets, 3) * 10
      - IF(bad_ratings > 0, 15, 0)) AS score
  FROM signals
)
SELECT
  customer_id,
  as_of,
  email,
  plan,
  company_size,
  score,
  CASE WHEN score >= 70 THEN 'healthy' WHEN score >= 40 THEN 'watch' ELSE 'at_risk' END AS category,
  -- The reasons, most serious first, so a person reading a profile sees why.
  TRIM(CONCAT(
    CASE WHEN days_quiet IS NULL THEN 'never active; ' WHEN days_quiet > 14 THEN CONCAT('inactive ', CAST(days_quiet AS STRING), ' days; ') ELSE '' END,
    IF(open_tickets > 0, CONCAT(CAST(open_tickets AS STRING), ' open tickets; '), ''),
    IF(bad_ratings > 0, 'bad support rating; ', ''),
    IF(orders_90d = 0, 'no order in 90 days; ', ''),
    IF(engaged_30d = 0, 'no email engagement in 30 days; ', '')
  )) AS reasons,
  days_quiet,
  orders_90d,
  open_tickets
FROM scored;
