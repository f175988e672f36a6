-- Customer health as of the batch's date: a score from 0 to 100, a category, and the reasons.
-- Grain: one row per customer in customer_360.
-- As of: batch_params (the batch's date, and the first instant after it).
-- Score: 100, less a penalty per warning sign; healthy >= 70, watch >= 40, at_risk below, for
-- customers who pay or paid (customer_360's lifecycle_stage active, lapsed or churned); a lead or
-- a trial is a prospect, whatever its score: nobody who never bought gets a win-back.
-- Tickets count in their latest state: the row of the newest batch that sent the ticket (a
-- ticket re-sent open and then solved is solved), within one batch the furthest status.
with params as (
  select as_of, cutoff from {{ ref('batch_params') }}
),
activity as (
  select
    customer_id,
    max(occurred_at) as last_seen,
    {{ countif("event_type = 'order_placed' and occurred_at >= " ~ timestamp_add('p.cutoff', -90, 'day')) }} as orders_90d,
    {{ countif("event_type in ('message_open', 'message_click') and occurred_at >= " ~ timestamp_add('p.cutoff', -30, 'day')) }} as engaged_30d
  from {{ ref('events') }}
  cross join params as p
  where occurred_at < p.cutoff
  group by customer_id
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
    c.customer_id, c.email, c.plan, c.company_size, c.lifecycle_stage, p.as_of,
    {{ dbt.datediff('cast(a.last_seen as date)', 'p.as_of', 'day') }} as days_quiet,
    coalesce(a.orders_90d, 0) as orders_90d,
    coalesce(a.engaged_30d, 0) as engaged_30d,
    coalesce(t.open_tickets, 0) as open_tickets,
    coalesce(t.bad_ratings, 0) as bad_ratings
  from {{ ref('customer_360') }} as c
  cross join params as p
  left join activity as a on a.customer_id = c.customer_id
  left join support as t on t.customer_id = c.customer_id
),
scored as (
  select
    *,
    greatest(0, 100
      - case when days_quiet is null or days_quiet > 30 then 40 when days_quiet > 14 then 20 else 0 end
      - case when orders_90d = 0 then 20 else 0 end
      - case when engaged_30d = 0 then 10 else 0 end
      - least(open_tickets, 3) * 10
      - case when bad_ratings > 0 then 15 else 0 end) as score
  from signals
)
select
  customer_id, as_of, email, plan, company_size, score,
  case when lifecycle_stage in ('lead', 'trial') then 'prospect' when score >= 70 then 'healthy' when score >= 40 then 'watch' else 'at_risk' end as category,
  -- The reasons, most serious first, so a person reading a profile sees why.
  trim({{ dbt.concat([
    "case when days_quiet is null then 'never active; ' when days_quiet > 14 then " ~ dbt.concat(["'inactive '", "cast(days_quiet as " ~ dbt.type_string() ~ ")", "' days; '"]) ~ " else '' end",
    "case when open_tickets > 0 then " ~ dbt.concat(["cast(open_tickets as " ~ dbt.type_string() ~ ")", "' open tickets; '"]) ~ " else '' end",
    "case when bad_ratings > 0 then 'bad support rating; ' else '' end",
    "case when orders_90d = 0 then 'no order in 90 days; ' else '' end",
    "case when engaged_30d = 0 then 'no email engagement in 30 days; ' else '' end"
  ]) }}) as reasons,
  days_quiet, orders_90d, open_tickets,
  -- New columns go last: publishing adds them to the served table (src/warehouse/sql/publish_prepare.sql).
  lifecycle_stage
from scored
