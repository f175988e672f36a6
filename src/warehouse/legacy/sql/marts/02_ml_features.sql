-- ML features: one row per customer per day for the 30 days up to @as_of, point-in-time correct:
-- a row for day D uses only events that happened before D ended (the window frames look back
-- only), so a model trained on day D's row never sees what came later.
-- The calendar starts 60 days earlier so the first rows' 30-day windows are full.
CREATE OR REPLACE TABLE waymark_build.ml_features AS
WITH params AS (
  SELECT as_of, cutoff FROM waymark_build.batch_params
),
calendar AS (
  SELECT day FROM params AS p CROSS JOIN UNNEST(GENERATE_DATE_ARRAY(DATE_SUB(p.as_of, INTERVAL 89 DAY), p.as_of)) AS day
),
daily AS (
  SELECT
    customer_id,
    DATE(occurred_at) AS day,
    COUNT(*) AS events,
    COUNTIF(event_type = 'order_placed') AS orders,
    SUM(IFNULL(revenue, 0)) AS revenue,
    COUNTIF(event_type = 'ticket_opened') AS tickets
  FROM waymark_build.events
  WHERE occurred_at < (SELECT cutoff FROM params)
  GROUP BY customer_id, day
),
grid AS (
  SELECT
    c.customer_id, k.day,
    IFNULL(d.events, 0) AS events, IFNULL(d.orders, 0) AS orders, IFNULL(d.revenue, 0) AS revenue, IFNULL(d.tickets, 0) AS tickets,
    IF(d.events > 0, k.day, NULL) AS active_day
  FROM waymark_build.customer_360 AS c
  CROSS JOIN calendar AS k
  LEFT JOIN daily AS d ON d.customer_id = c.customer_id AND d.day = k.day
),
windowed AS (
  SELECT
    customer_id,
    day AS feature_date,
    SUM(events) OVER (PARTITION BY customer_id ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS events_7d,
    SUM(events) OVER (PARTITION BY customer_id ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS events_30d,
    SUM(orders) OVER (PARTITION BY customer_id ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS orders_30d,
    ROUND(SUM(revenue) OVER (PARTITION BY customer_id ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW), 2) AS revenue_30d,
    SUM(tickets) OVER (PARTITION BY customer_id ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW) AS tickets_30d,
    DATE_DIFF(day, MAX(active_day) OVER (PARTITION BY customer_id ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), DAY) AS days_since_active
  FROM grid
)
SELECT * FROM windowed
WHERE feature_date > (SELECT DATE_SUB(as_of, INTERVAL 30 DAY) FROM params);
