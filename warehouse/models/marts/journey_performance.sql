-- Journey performance: what a marketing team reports per journey, step and variant.
-- Grain: one row per (journey_id, step, variant) seen in Braze engagement.
-- Conversions: a paid order within 7 days after a send, credited to the latest send before it
-- (last touch), so an order is counted once.
with engagement as (
  select
    journey_id, step, variant,
    {{ countif("event_type = 'message_send'") }} as sends,
    {{ countif("event_type = 'message_open'") }} as opens,
    {{ countif("event_type = 'message_click'") }} as clicks
  from {{ ref('events') }}
  where journey_id is not null
  group by journey_id, step, variant
),
credited as (
  select s.journey_id, s.step, s.variant, o.event_id as order_id, o.revenue
  from {{ ref('events') }} as o
  join {{ ref('events') }} as s
    on s.customer_id = o.customer_id
    and s.event_type = 'message_send'
    and s.occurred_at <= o.occurred_at
    and o.occurred_at < {{ timestamp_add('s.occurred_at', 7, 'day') }}
  where o.event_type = 'order_placed' and o.revenue > 0
  qualify row_number() over (partition by o.event_id order by s.occurred_at desc, s.journey_id, s.step, s.variant, s.event_id) = 1
),
conversions as (
  select journey_id, step, variant, count(*) as conversions, sum(revenue) as revenue
  from credited group by journey_id, step, variant
)
select
  e.journey_id, e.step, e.variant, e.sends, e.opens, e.clicks,
  coalesce(c.conversions, 0) as conversions,
  round(coalesce(c.revenue, 0), 2) as revenue,
  round({{ safe_divide('e.opens', 'e.sends') }}, 4) as open_rate,
  round({{ safe_divide('e.clicks', 'e.sends') }}, 4) as click_rate,
  round({{ safe_divide('coalesce(c.conversions, 0)', 'e.sends') }}, 4) as conversion_rate
from engagement as e
-- Null-safe: a send without a step or variation name (Braze leaves them empty) keeps its conversions.
left join conversions as c
  on c.journey_id = e.journey_id and c.step is not distinct from e.step and c.variant is not distinct from e.variant
