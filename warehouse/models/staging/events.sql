-- Unified events: every customer action from every source, on one timeline.
-- Grain: one row per (source, event_id); customer_id and email are the person's (identity_links).
-- Rows re-sent by a source are kept once; a row without its source's id gets one derived from its
-- content (macros/identity.sql row_id), so keyless rows never merge. Rows whose timestamp cannot
-- be read are left out (the *_readable_times tests count them); late rows land at the time they
-- happened, whatever batch brought them. Firebase's epoch may come in s, ms, µs or ns.
with unified as (
  select 'ga360' as source, {{ row_id('hitId') }} as event_id, {{ identity_key('s', 'userId') }} as id_key, cast(null as {{ dbt.type_string() }}) as email,
    eventAction as event_type, {{ parse_timestamp('hitTimestamp') }} as occurred_at,
    cast(null as {{ type_float64() }}) as revenue, utmCampaign as campaign,
    cast(null as {{ dbt.type_string() }}) as journey_id, cast(null as {{ dbt.type_string() }}) as step, cast(null as {{ dbt.type_string() }}) as variant,
    _batch_id as batch_id, _row_key as row_key
  from {{ ref('accepted_ga360_hits') }}
  union all
  select 'firebase', {{ row_id('event_id') }}, {{ identity_key('s', 'user_id') }}, null, event_name, {{ epoch_to_timestamp('event_timestamp') }},
    null, null, null, null, null, _batch_id, _row_key
  from {{ ref('accepted_firebase_events') }}
  union all
  select 'shopify', {{ row_id('id') }}, {{ identity_key('s', 'customer_id') }}, {{ clean_email('email') }}, 'order_placed', {{ parse_timestamp('created_at') }},
    case when financial_status = 'paid' then {{ dbt.safe_cast('total_price', type_float64()) }} else 0 end, null, null, null, null, _batch_id, _row_key
  from {{ ref('accepted_shopify_orders') }}
  union all
  select 'braze', {{ row_id('id') }}, {{ identity_key('s', 'external_id') }}, {{ clean_email('email') }}, {{ dbt.concat(["'message_'", "event"]) }}, {{ parse_timestamp('time') }},
    null, null, canvas_id, canvas_step_name, canvas_variation_name, _batch_id, _row_key
  from {{ ref('accepted_braze_engagement') }}
  union all
  select 'zendesk', {{ row_id('id') }}, null, {{ clean_email('requester_email') }}, 'ticket_opened', {{ parse_timestamp('created_at') }},
    null, null, null, null, null, _batch_id, _row_key
  from {{ ref('accepted_zendesk_tickets') }}
),
resolved as (
  -- The person of the row's email when it has one, else of its source id.
  select coalesce(by_email.customer_id, by_id.customer_id) as customer_id, coalesce(by_email.email, by_id.email) as email,
    u.source, u.event_id, u.event_type, u.occurred_at, u.revenue, u.campaign, u.journey_id, u.step, u.variant, u.batch_id, u.row_key
  from unified as u
  left join {{ ref('identity_links') }} as by_email on by_email.identity_key = {{ identity_key('e', 'u.email') }}
  left join {{ ref('identity_links') }} as by_id on by_id.identity_key = u.id_key
  where u.occurred_at is not null
)
select customer_id, email, source, event_id, event_type, occurred_at, revenue, campaign, journey_id, step, variant,
  batch_id  -- the batch whose raw row this is (new columns go last: publish_prepare.sql adds them)
from resolved
where customer_id is not null  -- anonymous visitors are not customers yet
-- Rows sharing a source's id: the earliest, then the smallest raw row key (one winner, always the same).
qualify row_number() over (partition by source, event_id order by occurred_at, row_key) = 1
