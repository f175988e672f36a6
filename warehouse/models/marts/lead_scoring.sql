-- Lead scoring features: what predicts that a prospect becomes a paying customer, as of the
-- batch's date, for every prospect (customer_360 lifecycle lead or trial).
-- Grain: one row per prospect. Opportunities are Salesforce's, linked through the contact id;
-- the lead's status and age are the person's newest Salesforce lead's.
with params as (
  select as_of, cutoff from {{ ref('batch_params') }}
),
prospects as (
  select customer_id, email, lifecycle_stage, profile_completeness, email_engagements
  from {{ ref('customer_360') }}
  where lifecycle_stage in ('lead', 'trial')
),
leads as (
  select i.customer_id, l.Status as lead_status, {{ parse_timestamp('l.CreatedDate') }} as lead_created_at
  from {{ ref('accepted_salesforce_leads') }} as l
  join {{ ref('identity_links') }} as i on i.identity_key = {{ identity_key('l', 'l.Id') }}
  where true
  qualify row_number() over (partition by i.customer_id order by {{ parse_timestamp('l.CreatedDate') }} is null, {{ parse_timestamp('l.CreatedDate') }} desc, l.Id desc, l._loaded_at desc, l._row_key) = 1
),
opportunities as (
  select
    i.customer_id,
    {{ countif("o.StageName not in ('Closed Won', 'Closed Lost')") }} as open_opportunities,
    sum(case when o.StageName not in ('Closed Won', 'Closed Lost') then coalesce({{ dbt.safe_cast('o.Amount', type_float64()) }}, 0) else 0 end) as open_pipeline,
    {{ countif("o.StageName = 'Closed Won'") }} as won_opportunities
  from (
    select * from {{ ref('accepted_salesforce_opportunities') }}
    where true
    qualify row_number() over (partition by {{ row_id('Id') }} order by _loaded_at desc, _row_key) = 1
  ) as o
  join {{ ref('identity_links') }} as i on i.identity_key = {{ identity_key('c', 'o.ContactId') }}
  group by i.customer_id
),
activity as (
  select
    e.customer_id,
    {{ countif("e.source = 'ga360'") }} as web_hits_30d,
    {{ countif("e.source = 'ga360' and e.event_type = 'add_to_cart'") }} as add_to_carts_30d,
    {{ countif("e.source = 'firebase'") }} as app_events_30d,
    count(distinct cast(e.occurred_at as date)) as active_days_30d
  from {{ ref('events') }} as e
  cross join params as p
  where e.occurred_at < p.cutoff and e.occurred_at >= {{ timestamp_add('p.cutoff', -30, 'day') }}
  group by e.customer_id
)
select
  c.customer_id, p.as_of, c.email, c.lifecycle_stage,
  l.lead_status,
  {{ dbt.datediff('cast(l.lead_created_at as date)', 'p.as_of', 'day') }} as lead_age_days,
  coalesce(o.open_opportunities, 0) as open_opportunities,
  round(coalesce(o.open_pipeline, 0), 2) as open_pipeline,
  coalesce(o.won_opportunities, 0) as won_opportunities,
  coalesce(a.web_hits_30d, 0) as web_hits_30d,
  coalesce(a.add_to_carts_30d, 0) as add_to_carts_30d,
  coalesce(a.app_events_30d, 0) as app_events_30d,
  coalesce(a.active_days_30d, 0) as active_days_30d,
  c.email_engagements,
  c.profile_completeness
from prospects as c
cross join params as p
left join leads as l on l.customer_id = c.customer_id
left join opportunities as o on o.customer_id = c.customer_id
left join activity as a on a.customer_id = c.customer_id
