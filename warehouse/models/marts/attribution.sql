-- Revenue attribution to paid campaigns: each paid order's revenue credited to the campaigns the
-- customer came from (GA360 hits with a utm campaign) in the 30 days before the order.
-- Grain: one row per (order_id, campaign, model). Models:
--   last_touch: the whole revenue to the campaign of the customer's last campaign hit before the order;
--   linear: the revenue split equally among the distinct campaigns of those 30 days.
-- An order with no campaign hit in its window is not attributed (it is organic).
with orders as (
  select customer_id, event_id as order_id, occurred_at, revenue
  from {{ ref('events') }}
  where event_type = 'order_placed' and revenue > 0
),
touches as (
  select o.order_id, o.revenue, h.campaign, h.occurred_at as touched_at, h.event_id as hit_id
  from orders as o
  join {{ ref('events') }} as h
    on h.customer_id = o.customer_id
    and h.source = 'ga360'
    and h.campaign is not null
    and h.occurred_at <= o.occurred_at
    and h.occurred_at > {{ timestamp_add('o.occurred_at', -30, 'day') }}
),
last_touch as (
  select order_id, campaign, revenue as attributed_revenue, 'last_touch' as model
  from touches
  where true
  qualify row_number() over (partition by order_id order by touched_at desc, hit_id) = 1
),
distinct_touches as (
  select distinct order_id, revenue, campaign from touches
),
linear as (
  select order_id, campaign, revenue / count(*) over (partition by order_id) as attributed_revenue, 'linear' as model
  from distinct_touches
)
select order_id, campaign, model, round(attributed_revenue, 2) as attributed_revenue from last_touch
union all
select order_id, campaign, model, round(attributed_revenue, 2) from linear
