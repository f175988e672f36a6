-- ML features: one row per customer per day for the 30 days up to the batch's date, point-in-time
-- correct: a row for day D uses only events that happened before D ended (the window frames look
-- back only), so a model trained on day D's row never sees what came later.
-- The calendar starts 60 days earlier so the first rows' 30-day windows are full.
with params as (
  select as_of, cutoff from {{ ref('batch_params') }}
),
calendar as (
  select day from params as p cross join {{ days_between(date_add('p.as_of', -89, 'day'), 'p.as_of') }}
),
daily as (
  select
    customer_id,
    cast(occurred_at as date) as day,
    count(*) as events,
    {{ countif("event_type = 'order_placed'") }} as orders,
    sum(coalesce(revenue, 0)) as revenue,
    {{ countif("event_type = 'ticket_opened'") }} as tickets
  from {{ ref('events') }}
  where occurred_at < (select cutoff from params)
  group by 1, 2
),
grid as (
  select
    c.customer_id, k.day,
    coalesce(d.events, 0) as events, coalesce(d.orders, 0) as orders, coalesce(d.revenue, 0) as revenue, coalesce(d.tickets, 0) as tickets,
    case when d.events > 0 then k.day end as active_day
  from {{ ref('customer_360') }} as c
  cross join calendar as k
  left join daily as d on d.customer_id = c.customer_id and d.day = k.day
),
windowed as (
  select
    customer_id,
    day as feature_date,
    sum(events) over (partition by customer_id order by day rows between 6 preceding and current row) as events_7d,
    sum(events) over (partition by customer_id order by day rows between 29 preceding and current row) as events_30d,
    sum(orders) over (partition by customer_id order by day rows between 29 preceding and current row) as orders_30d,
    round(sum(revenue) over (partition by customer_id order by day rows between 29 preceding and current row), 2) as revenue_30d,
    sum(tickets) over (partition by customer_id order by day rows between 29 preceding and current row) as tickets_30d,
    {{ dbt.datediff('max(active_day) over (partition by customer_id order by day rows between unbounded preceding and current row)', 'day', 'day') }} as days_since_active
  from grid
)
select * from windowed
where feature_date > (select {{ date_add('as_of', -30, 'day') }} from params)
