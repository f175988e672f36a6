-- Each customer's events per day before the batch's cutoff: counts, orders, tickets and revenue.
-- Ephemeral (a CTE where it is used): ml_feature_days looks back over it, ml_training forward.
{{ config(materialized='ephemeral') }}
select
  customer_id,
  cast(occurred_at as date) as day,
  count(*) as events,
  {{ countif("event_type = 'order_placed'") }} as orders,
  sum(coalesce(revenue, 0)) as revenue,
  {{ countif("event_type = 'ticket_opened'") }} as tickets
from {{ ref('events') }}
where occurred_at < (select cutoff from {{ ref('batch_params') }})
group by 1, 2
