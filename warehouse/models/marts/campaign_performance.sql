-- Paid campaign performance per week (weeks start on Sunday, as Google Ads reports them).
-- Grain: one row per (week, campaign). Google Ads re-sends a day's stats as they settle: the
-- latest load of each (day, campaign) wins. Known visitors: customers who came from the campaign.
-- Revenue: paid orders attributed to the campaign (attribution: last touch, and linear) in the
-- week of the order; ROAS = revenue / cost and ROI = (revenue - cost) / cost, last touch, where
-- the cost is known (null otherwise).
with stats as (
  select
    {{ dbt.safe_cast('date', 'date') }} as day, campaign_id, campaign_name,
    {{ dbt.safe_cast('impressions', dbt.type_bigint()) }} as impressions, {{ dbt.safe_cast('clicks', dbt.type_bigint()) }} as clicks,
    {{ dbt.safe_cast('cost_micros', dbt.type_bigint()) }} / 1000000 as cost, {{ dbt.safe_cast('conversions', dbt.type_bigint()) }} as conversions
  from {{ ref('accepted_google_ads_campaign_stats') }}
  where true
  qualify row_number() over (partition by date, campaign_id order by _loaded_at desc, _row_key) = 1
),
visitors as (
  select campaign, {{ week_start_sunday('occurred_at') }} as week, count(distinct customer_id) as known_visitors
  from {{ ref('events') }}
  where source = 'ga360' and campaign is not null
  group by 1, 2
),
attributed as (
  select
    a.campaign, {{ week_start_sunday('o.occurred_at') }} as week,
    sum(case when a.model = 'last_touch' then a.attributed_revenue else 0 end) as revenue_last_touch,
    sum(case when a.model = 'linear' then a.attributed_revenue else 0 end) as revenue_linear
  from {{ ref('attribution') }} as a
  join {{ ref('events') }} as o on o.source = 'shopify' and o.event_id = a.order_id
  group by 1, 2
),
weekly as (
  select
    {{ week_start_sunday('day') }} as week, campaign_id, campaign_name,
    sum(impressions) as impressions, sum(clicks) as clicks, sum(cost) as cost, sum(conversions) as conversions
  from stats
  where day is not null
  group by 1, 2, 3
)
select
  w.week, w.campaign_id, w.campaign_name, w.impressions, w.clicks, round(w.cost, 2) as cost, w.conversions,
  round({{ safe_divide('w.clicks', 'w.impressions') }}, 4) as click_through_rate,
  round({{ safe_divide('w.cost', 'w.conversions') }}, 2) as cost_per_conversion,
  coalesce(v.known_visitors, 0) as known_visitors,
  -- New columns go last: publishing adds them to the served table (src/warehouse/sql/publish_prepare.sql).
  round(coalesce(r.revenue_last_touch, 0), 2) as revenue_last_touch,
  round(coalesce(r.revenue_linear, 0), 2) as revenue_linear,
  round({{ safe_divide('coalesce(r.revenue_last_touch, 0)', 'w.cost') }}, 4) as roas,
  round({{ safe_divide('(coalesce(r.revenue_last_touch, 0) - w.cost)', 'w.cost') }}, 4) as roi
from weekly as w
left join visitors as v on v.campaign = w.campaign_name and v.week = w.week
left join attributed as r on r.campaign = w.campaign_name and r.week = w.week
