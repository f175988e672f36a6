-- Training rows for the churn, lead and value models (src/scoring/models.ts): the ml_feature_days
-- rows whose next 30 days are known (feature_date at least 30 days before the batch's date), each
-- with what happened in those 30 days. Features look back from the row's day only, outcomes look
-- forward from it: a model learns from day D's features what followed D. Rebuilt after each
-- publish (tag history) from the published batch.
-- Populations: a prospect is a customer with no order up to the row's day; an active customer has
-- an order up to it and has been seen (days_since_active not null).
-- segment: the customer's plan today (not as of the row's day), for the fairness figures only.
{{ config(materialized='table') }}
with params as (
  select as_of, cutoff from {{ ref('batch_params') }}
),
daily as (
  select * from {{ ref('events_daily') }}
),
first_order as (
  select customer_id, min(day) as day from daily where orders > 0 group by 1
),
labelled as (
  select f.*
  from {{ ref('ml_feature_days') }} as f
  where f.feature_date <= (select {{ date_add('as_of', -30, 'day') }} from params)
),
outcomes as (
  select
    l.customer_id, l.feature_date,
    coalesce(sum(d.events), 0) as events_next_30d,
    coalesce(sum(d.orders), 0) as orders_next_30d,
    round(coalesce(sum(d.revenue), 0), 2) as revenue_next_30d
  from labelled as l
  left join daily as d on d.customer_id = l.customer_id and d.day > l.feature_date and d.day <= {{ date_add('l.feature_date', 30, 'day') }}
  group by 1, 2
)
select
  (select as_of from params) as as_of,
  l.*,
  c.plan as segment,
  fo.day is null or fo.day > l.feature_date as is_prospect,
  o.events_next_30d = 0 as churned_30d,
  o.orders_next_30d > 0 as ordered_30d,
  o.revenue_next_30d
from labelled as l
join outcomes as o on o.customer_id = l.customer_id and o.feature_date = l.feature_date
join {{ ref('customer_360') }} as c on c.customer_id = l.customer_id
left join first_order as fo on fo.customer_id = l.customer_id
