-- The KPIs as of the batch's date, one row (definitions in docs/warehouse.md):
--   customers: people in customer_360; paying: lifecycle active, lapsed or churned;
--   conversion_rate: paying / customers; churn_rate: churned / paying;
--   clv_to_date: average revenue_to_date of paying customers;
--   revenue_30d: paid orders' revenue in the 30 days before the cutoff.
with params as (
  select as_of, cutoff from {{ ref('batch_params') }}
),
people as (
  select
    count(*) as customers,
    {{ countif("lifecycle_stage = 'lead'") }} as leads,
    {{ countif("lifecycle_stage = 'trial'") }} as trials,
    {{ countif("lifecycle_stage = 'active'") }} as active,
    {{ countif("lifecycle_stage = 'lapsed'") }} as lapsed,
    {{ countif("lifecycle_stage = 'churned'") }} as churned,
    {{ countif("lifecycle_stage in ('active', 'lapsed', 'churned')") }} as paying,
    sum(case when lifecycle_stage in ('active', 'lapsed', 'churned') then revenue_to_date else 0 end) as paying_revenue
  from {{ ref('customer_360') }}
),
recent as (
  select sum(e.revenue) as revenue_30d
  from {{ ref('events') }} as e
  cross join params as p
  where e.revenue > 0 and e.occurred_at < p.cutoff and e.occurred_at >= {{ timestamp_add('p.cutoff', -30, 'day') }}
)
select
  p.as_of, c.customers, c.leads, c.trials, c.paying, c.active, c.lapsed, c.churned,
  round({{ safe_divide('c.paying', 'c.customers') }}, 4) as conversion_rate,
  round({{ safe_divide('c.churned', 'c.paying') }}, 4) as churn_rate,
  round({{ safe_divide('c.paying_revenue', 'c.paying') }}, 2) as clv_to_date,
  round(coalesce(r.revenue_30d, 0), 2) as revenue_30d
from people as c
cross join params as p
cross join recent as r
