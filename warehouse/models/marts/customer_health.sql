-- Customer health as of the batch's date: a score from 0 to 100, a category, the reasons, and
-- each warning sign's penalty (what `waymark warehouse customer` explains).
-- Grain: one row per customer in customer_360.
-- As of: batch_params (the batch's date, the first instant after it, and config's weights:
-- WAYMARK_HEALTH_*). Score: 100, less a penalty per warning sign; healthy from healthy_from,
-- watch from watch_from, at_risk below, for customers who pay or paid (customer_360's
-- lifecycle_stage active, lapsed or churned); a lead or a trial is a prospect, whatever its
-- score: nobody who never bought gets a win-back; nor does a paying customer never seen in any
-- source (never_active): at_risk is for customers who were active.
-- Tickets count in their latest state: the row of the newest batch that sent the ticket (a
-- ticket re-sent open and then solved is solved), within one batch the furthest status.
with params as (
  select * from {{ ref('batch_params') }}
),
activity as (
  select
    e.customer_id,
    {{ countif("e.event_type = 'order_placed' and e.occurred_at >= " ~ timestamp_add('p.cutoff', '-p.order_window_days', 'day')) }} as orders_90d
  from {{ ref('events') }} as e
  cross join params as p
  where e.occurred_at < p.cutoff
  group by e.customer_id
),
-- The customer's last event before the cutoff, and where it came from.
last_event as (
  select e.customer_id, e.occurred_at as last_seen, e.source as last_seen_source, e.batch_id as last_seen_batch
  from {{ ref('events') }} as e
  cross join params as p
  where e.occurred_at < p.cutoff
  qualify row_number() over (partition by e.customer_id order by e.occurred_at desc, e.source, e.event_id) = 1
),
tickets as (
  select t.*
  from {{ ref('accepted_zendesk_tickets') }} as t
  left join {{ source('ops', 'batches') }} as b on b.batch_id = t._batch_id
  where true
  qualify row_number() over (
    partition by {{ row_id('t.id') }}
    order by b.as_of desc, case lower(t.status) when 'closed' then 5 when 'solved' then 4 when 'pending' then 3 when 'open' then 2 when 'new' then 1 else 0 end desc, t._row_key
  ) = 1
),
support as (
  select
    i.customer_id,
    {{ countif("lower(t.status) in ('new', 'open', 'pending')") }} as open_tickets,
    {{ countif("lower(t.satisfaction_rating) = 'bad'") }} as bad_ratings
  from tickets as t
  join {{ ref('identity_links') }} as i on i.identity_key = {{ identity_key('e', clean_email('t.requester_email')) }}
  group by i.customer_id
),
signals as (
  select
    c.customer_id, c.email, c.plan, c.company_size, c.lifecycle_stage, p.as_of, p.batch_id,
    l.last_seen, l.last_seen_source, l.last_seen_batch,
    {{ dbt.datediff('cast(l.last_seen as date)', 'p.as_of', 'day') }} as days_quiet,
    coalesce(a.orders_90d, 0) as orders_90d,
    c.email_engagements as engaged_30d,  -- customer_360's, in the same engagement window
    coalesce(t.open_tickets, 0) as open_tickets,
    coalesce(t.bad_ratings, 0) as bad_ratings,
    p.healthy_from, p.watch_from, p.quiet_watch_days, p.quiet_watch_penalty, p.quiet_risk_days, p.quiet_risk_penalty,
    p.order_window_days, p.no_order_penalty, p.engagement_window_days, p.no_engagement_penalty, p.open_ticket_penalty, p.max_open_tickets, p.bad_rating_penalty
  from {{ ref('customer_360') }} as c
  cross join params as p
  left join activity as a on a.customer_id = c.customer_id
  left join last_event as l on l.customer_id = c.customer_id
  left join support as t on t.customer_id = c.customer_id
),
penalties as (
  select
    *,
    case when days_quiet is null or days_quiet > quiet_risk_days then quiet_risk_penalty when days_quiet > quiet_watch_days then quiet_watch_penalty else 0 end as quiet_penalty,
    case when orders_90d = 0 then no_order_penalty else 0 end as order_penalty,
    case when engaged_30d = 0 then no_engagement_penalty else 0 end as engagement_penalty,
    {{ least(['open_tickets', 'max_open_tickets']) }} * open_ticket_penalty as ticket_penalty,
    case when bad_ratings > 0 then bad_rating_penalty else 0 end as rating_penalty
  from signals
),
scored as (
  select *, {{ greatest(['0', '100 - quiet_penalty - order_penalty - engagement_penalty - ticket_penalty - rating_penalty']) }} as score
  from penalties
)
select
  customer_id, as_of, email, plan, company_size, score,
  case
    when lifecycle_stage in ('lead', 'trial') then 'prospect'
    -- Paying but never seen (a CRM contact of an account others use): nothing to win back.
    when days_quiet is null then 'never_active'
    when score >= healthy_from then 'healthy'
    when score >= watch_from then 'watch'
    else 'at_risk'
  end as category,
  -- The reasons, most serious first, so a person reading a profile sees why.
  {{ trim_space(dbt.concat([
    "case when days_quiet is null then 'never active; ' when quiet_penalty > 0 then " ~ dbt.concat(["'inactive '", "cast(days_quiet as " ~ dbt.type_string() ~ ")", "' days; '"]) ~ " else '' end",
    "case when open_tickets > 0 then " ~ dbt.concat(["cast(open_tickets as " ~ dbt.type_string() ~ ")", "' open tickets; '"]) ~ " else '' end",
    "case when bad_ratings > 0 then 'bad support rating; ' else '' end",
    "case when orders_90d = 0 then " ~ dbt.concat(["'no order in '", "cast(order_window_days as " ~ dbt.type_string() ~ ")", "' days; '"]) ~ " else '' end",
    "case when engaged_30d = 0 then " ~ dbt.concat(["'no email engagement in '", "cast(engagement_window_days as " ~ dbt.type_string() ~ ")", "' days; '"]) ~ " else '' end"
  ])) }} as reasons,
  days_quiet, orders_90d, open_tickets,
  -- New columns go last: publishing adds them to the served table (src/warehouse/sql/publish_prepare.sql).
  lifecycle_stage,
  engaged_30d, bad_ratings,
  quiet_penalty, order_penalty, engagement_penalty, ticket_penalty, rating_penalty,
  last_seen as last_seen_at, last_seen_source, last_seen_batch,
  batch_id
from scored
