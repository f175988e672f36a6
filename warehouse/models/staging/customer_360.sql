-- Customer 360: one row per person (identity_links), whichever sources know them.
-- Survivorship (docs/warehouse.md): name, company, plan and size come from the freshest
-- Salesforce contact record of the person (LastModifiedDate; ties: the higher id), whatever its
-- id; the shop id from their newest order.
-- Lifecycle as of the batch's date: lead (never paid, or a free plan), trial (Salesforce plan
-- trial), and for paying customers (a paid order, or a paid plan in Salesforce) active (seen in
-- the last active_days days), lapsed (seen within lapsed_days days) or churned; the thresholds
-- and the paid plans are config's (batch_params).
with params as (
  select as_of, cutoff, active_days, lapsed_days, paid_plans, engagement_window_days from {{ ref('batch_params') }}
),
people as (
  select distinct customer_id, email from {{ ref('identity_links') }}
),
contacts as (
  select
    i.customer_id, r.Id as contact_id, r.FirstName as first_name, r.LastName as last_name,
    r.AccountName as company, lower({{ trim_space('r.Plan__c') }}) as plan, {{ dbt.safe_cast('r.NumberOfEmployees', dbt.type_bigint()) }} as employees
  from {{ ref('accepted_salesforce_contacts') }} as r
  join {{ ref('identity_links') }} as i on i.identity_key = {{ identity_key('c', 'r.Id') }}
  where true
  qualify row_number() over (partition by i.customer_id order by {{ parse_timestamp('r.LastModifiedDate') }} is null, {{ parse_timestamp('r.LastModifiedDate') }} desc, r.Id desc, r._loaded_at desc, r._row_key) = 1
),
shop_ids as (
  select i.customer_id, o.customer_id as shopify_customer_id
  from {{ ref('accepted_shopify_orders') }} as o
  join {{ ref('identity_links') }} as i on i.identity_key = {{ identity_key('s', 'o.customer_id') }}
  where true
  qualify row_number() over (partition by i.customer_id order by {{ parse_timestamp('o.created_at') }} is null, {{ parse_timestamp('o.created_at') }} desc, o.customer_id, o._row_key) = 1
),
seen_in as (
  select customer_id, source, min(occurred_at) as first_seen, max(occurred_at) as last_seen
  from {{ ref('events') }} group by customer_id, source
),
crm as (
  select distinct customer_id, 'salesforce' as source from {{ ref('identity_links') }} where key_kind in ('c', 'l')
),
span as (
  select customer_id, min(first_seen) as first_seen_at, max(last_seen) as last_seen_at from seen_in group by customer_id
),
sources as (
  select customer_id, string_agg(distinct source, ',' order by source) as sources, count(distinct source) as source_count
  from (select customer_id, source from seen_in union all select customer_id, source from crm) as s
  group by customer_id
),
before_cutoff as (
  select
    e.customer_id,
    max(e.occurred_at) as last_seen,
    {{ countif('e.revenue > 0') }} as paid_orders,
    sum(coalesce(e.revenue, 0)) as revenue,
    {{ countif("e.event_type in ('message_open', 'message_click') and e.occurred_at >= " ~ timestamp_add('p.cutoff', '-p.engagement_window_days', 'day')) }} as engagements
  from {{ ref('events') }} as e
  cross join params as p
  where e.occurred_at < p.cutoff
  group by e.customer_id
),
staged as (
  select
    p.customer_id, p.email, c.first_name, c.last_name, c.company, c.contact_id, sh.shopify_customer_id, c.plan, c.employees,
    s.sources, s.source_count, sp.first_seen_at, sp.last_seen_at,
    {{ dbt.datediff('cast(b.last_seen as date)', 'pa.as_of', 'day') }} as days_quiet,
    pa.active_days, pa.lapsed_days,
    coalesce(b.paid_orders, 0) as paid_orders, coalesce(b.revenue, 0) as revenue, coalesce(b.engagements, 0) as engagements,
    coalesce(b.paid_orders, 0) > 0 or coalesce(strpos(pa.paid_plans, {{ dbt.concat(["','", "c.plan", "','"]) }}) > 0, false) as paying
  from people as p
  cross join params as pa
  left join contacts as c on c.customer_id = p.customer_id
  left join shop_ids as sh on sh.customer_id = p.customer_id
  left join sources as s on s.customer_id = p.customer_id
  left join span as sp on sp.customer_id = p.customer_id
  left join before_cutoff as b on b.customer_id = p.customer_id
)
select
  customer_id,
  email,
  first_name,
  last_name,
  company,
  contact_id as salesforce_contact_id,
  shopify_customer_id,
  coalesce(plan, 'unknown') as plan,
  case
    when employees is null then 'unknown'
    when employees <= 10 then '1-10'
    when employees <= 50 then '11-50'
    when employees <= 200 then '51-200'
    when employees <= 1000 then '201-1000'
    else '1000+'
  end as company_size,
  sources,
  coalesce(source_count, 0) as source_count,
  first_seen_at,
  last_seen_at,
  -- New columns go last: publishing adds them to the served table (src/warehouse/sql/publish_prepare.sql).
  case
    when not paying and plan = 'trial' then 'trial'
    when not paying then 'lead'
    when days_quiet is not null and days_quiet <= active_days then 'active'
    when days_quiet is not null and days_quiet <= lapsed_days then 'lapsed'
    else 'churned'
  end as lifecycle_stage,
  -- Paid orders and their revenue before the cutoff (Shopify; currencies as sent).
  round(revenue, 2) as revenue_to_date,
  paid_orders as paid_orders_to_date,
  -- Email opens and clicks in the engagement window (WAYMARK_HEALTH_ENGAGEMENT_WINDOW_DAYS).
  engagements as email_engagements,
  -- Share of the profile fields known: first and last name, company, plan, size, shop id.
  round((case when first_name is not null then 1 else 0 end + case when last_name is not null then 1 else 0 end
    + case when company is not null then 1 else 0 end + case when plan is not null then 1 else 0 end
    + case when employees is not null then 1 else 0 end + case when shopify_customer_id is not null then 1 else 0 end) / 6.0, 2) as profile_completeness
from staged
