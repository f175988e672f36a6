-- Paid campaign performance per week (weeks start on Sunday, as Google Ads reports them).
-- Grain: one row per (week, campaign). Google Ads re-sends a day's stats as they settle: the
-- latest load of each (day, campaign) wins. Known visitors: customers who came from the campaign.
CREATE OR REPLACE TABLE waymark_build.campaign_performance AS
WITH stats AS (
  SELECT
    SAFE_CAST(date AS DATE) AS day, campaign_id, campaign_name,
    SAFE_CAST(impressions AS INT64) AS impressions, SAFE_CAST(clicks AS INT64) AS clicks,
    SAFE_CAST(cost_micros AS INT64) / 1000000 AS cost, SAFE_CAST(conversions AS INT64) AS conversions
  FROM waymark_build.accepted_google_ads_campaign_stats
  WHERE TRUE
  QUALIFY ROW_NUMBER() OVER (PARTITION BY date, campaign_id ORDER BY _loaded_at DESC, _row_key) = 1
),
visitors AS (
  SELECT campaign, DATE_TRUNC(CAST(occurred_at AS DATE), WEEK(SUNDAY)) AS week, COUNT(DISTINCT customer_id) AS known_visitors
  FROM waymark_build.events
  WHERE source = 'ga360' AND campaign IS NOT NULL
  GROUP BY campaign, week
),
weekly AS (
  SELECT
    DATE_TRUNC(CAST(day AS DATE), WEEK(SUNDAY)) AS week, campaign_id, campaign_name,
    SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(cost) AS cost, SUM(conversions) AS conversions
  FROM stats
  WHERE day IS NOT NULL
  GROUP BY week, campaign_id, campaign_name
)
SELECT
  w.week, w.campaign_id, w.campaign_name, w.impressions, w.clicks, ROUND(w.cost, 2) AS cost, w.conversions,
  ROUND(SAFE_DIVIDE(w.clicks, w.impressions), 4) AS click_through_rate,
  ROUND(SAFE_DIVIDE(w.cost, w.conversions), 2) AS cost_per_conversion,
  IFNULL(v.known_visitors, 0) AS known_visitors
FROM weekly AS w
LEFT JOIN visitors AS v ON v.campaign = w.campaign_name AND v.week = w.week;
