-- Identity: who is who across the sources, resolved as a graph.
-- Grain: one row per identity key (an email, a Salesforce contact or lead id, a shop customer id;
-- macros/identity.sql) that belongs to a person, with that person's customer_id and email.
--
-- Keys are linked when one record carries both: a Salesforce contact record links its id to the
-- email it had then (every version of the record, so an email change keeps one person), a lead
-- its id to its email and to the contact it was converted into, a Shopify order and a Braze event
-- the shop's customer id to their email. A person is a connected component of these links,
-- found by passing the smallest key along every link, round after round; the
-- identity_components_settled test fails if {{ var('identity_rounds', 12) }} rounds were not enough.
-- A component without any email is an anonymous visitor, not a customer.
--
-- Survivorship (docs/warehouse.md):
--   customer_id: cus_ + MD5 of the component's anchor email, the one seen first (by the time of
--     the records carrying it; ties: the smallest), so it stays what it was when an email changes
--     or a second email joins;
--   email: the freshest Salesforce contact record's (LastModifiedDate), else the newest lead's,
--     else the newest order's, Braze event's or ticket's.
{% set rounds = var('identity_rounds', 12) %}
with records as (
  select 1 as priority, {{ identity_key('c', 'Id') }} as id_key, {{ clean_email('Email') }} as email, {{ parse_timestamp('LastModifiedDate') }} as seen_at
  from {{ ref('accepted_salesforce_contacts') }}
  union all
  select 2, {{ identity_key('l', 'Id') }}, {{ clean_email('Email') }}, {{ parse_timestamp('CreatedDate') }}
  from {{ ref('accepted_salesforce_leads') }}
  union all
  select 3, {{ identity_key('s', 'customer_id') }}, {{ clean_email('email') }}, {{ parse_timestamp('created_at') }}
  from {{ ref('accepted_shopify_orders') }}
  union all
  select 3, {{ identity_key('s', 'external_id') }}, {{ clean_email('email') }}, {{ parse_timestamp('time') }}
  from {{ ref('accepted_braze_engagement') }}
  union all
  select 4, cast(null as {{ dbt.type_string() }}), {{ clean_email('requester_email') }}, {{ parse_timestamp('created_at') }}
  from {{ ref('accepted_zendesk_tickets') }}
),
links as (
  select id_key as a, {{ identity_key('e', 'email') }} as b from records where id_key is not null and email is not null
  union all
  select {{ identity_key('l', 'Id') }}, {{ identity_key('c', 'ConvertedContactId') }}
  from {{ ref('accepted_salesforce_leads') }}
  where Id is not null and ConvertedContactId is not null
),
nodes as (
  select id_key as node from records where id_key is not null
  union distinct
  select {{ identity_key('e', 'email') }} from records where email is not null
  union distinct
  select b from links
),
-- Each key's neighbours, itself included.
neighbours as (
  select distinct a as node, b as other from links
  union distinct
  select b, a from links
  union distinct
  select node, node from nodes
),
label_0 as (
  select node, node as label from nodes
),
{%- for i in range(1, rounds + 1) %}
label_{{ i }} as (
  select n.node, min(l.label) as label
  from neighbours as n
  join label_{{ i - 1 }} as l on l.node = n.other
  group by n.node
),
{%- endfor %}
components as (
  select f.node, f.label as component, f.label = p.label as settled
  from label_{{ rounds }} as f
  join label_{{ rounds - 1 }} as p on p.node = f.node
),
emails as (
  select c.component, r.email, min(r.seen_at) as first_seen
  from records as r
  join components as c on c.node = {{ identity_key('e', 'r.email') }}
  where r.email is not null
  group by c.component, r.email
),
anchors as (
  select component, email as anchor_email
  from emails
  where true
  qualify row_number() over (partition by component order by first_seen is null, first_seen, email) = 1
),
-- The email each record vouches for, ranked: Salesforce contacts first, then leads, then the rest; the freshest within each.
current_emails as (
  select c.component, r.email
  from records as r
  join components as c on c.node = {{ identity_key('e', 'r.email') }}
  where r.email is not null
  qualify row_number() over (partition by c.component order by r.priority, r.seen_at is null, r.seen_at desc, r.email) = 1
)
select
  c.node as identity_key,
  substr(c.node, 1, 1) as key_kind,
  substr(c.node, 3) as key_value,
  {{ customer_id('a.anchor_email') }} as customer_id,
  e.email,
  c.settled
from components as c
join anchors as a on a.component = c.component
join current_emails as e on e.component = c.component
