-- ML features by day: one row per customer per day for the 60 days up to the batch's date (those
-- whose 30-day windows are full: the calendar starts 30 days before them), point-in-time correct:
-- a row for day D uses only events that happened before D ended (the window frames look back only),
-- so a model trained on day D's row never sees what came later. ml_features serves the last 30 days;
-- ml_training labels the first 30 with what happened in the 30 days after each.
with params as (
  select as_of, cutoff from {{ ref('batch_params') }}
),
calendar as (
  select day from params as p cross join {{ days_between(date_add('p.as_of', -89, 'day'), 'p.as_of') }}
),
daily as (
  select * from {{ ref('events_daily') }}
),
-- The last active day before the calendar: a customer quiet for longer than the calendar still
-- has a days_since_active (not null, which reads as never active), on the oldest rows as on the newest.
active_before as (
  select customer_id, max(day) as day
  from daily
  where day < (select min(day) from calendar)
  group by 1
),
grid as (
  select
    c.customer_id, k.day,
    coalesce(d.events, 0) as events, coalesce(d.orders, 0) as orders, coalesce(d.revenue, 0) as revenue, coalesce(d.tickets, 0) as tickets,
    case when d.events > 0 then k.day end as active_day,
    b.day as active_before
  from {{ ref('customer_360') }} as c
  cross join calendar as k
  left join daily as d on d.customer_id = c.customer_id and d.day = k.day
  left join active_before as b on b.customer_id = c.customer_id
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
    {{ dbt.datediff('coalesce(max(active_day) over (partition by customer_id order by day rows between unbounded preceding and current row), active_before)', 'day', 'day') }} as days_since_active
  from grid
)
select * from windowed
where feature_date > (select {{ date_add('as_of', -60, 'day') }} from params)
