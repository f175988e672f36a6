-- The batch being built, one row: its id, the date the marts are built as of, and the first
-- instant after that date (the bound of every "as of" computation). The pipeline writes the
-- batch when it starts, with the health and lifecycle settings from Waymark's config
-- (WAYMARK_HEALTH_*, WAYMARK_LIFECYCLE_*; src/warehouse/health-params.ts). A late export (dated before the newest one already published) merges its
-- rows into raw, and the marts stay as of the newest published date: they never roll back.
with newest as (
  select max(as_of) as as_of from {{ source('ops', 'batches') }} where status = 'published'
)
select
  c.batch_id,
  case when n.as_of > c.as_of then n.as_of else c.as_of end as as_of,
  case when n.as_of > c.as_of then {{ timestamp_add('c.cutoff', dbt.datediff('c.as_of', 'n.as_of', 'day'), 'day') }} else c.cutoff end as cutoff,
  c.as_of as export_as_of,
  c.healthy_from, c.watch_from, c.quiet_watch_days, c.quiet_watch_penalty, c.quiet_risk_days, c.quiet_risk_penalty,
  c.order_window_days, c.no_order_penalty, c.engagement_window_days, c.no_engagement_penalty,
  c.open_ticket_penalty, c.max_open_tickets, c.bad_rating_penalty, c.active_days, c.lapsed_days, c.paid_plans
from {{ source('ops', 'current_batch') }} as c
cross join newest as n
