{{ config(materialized='view') }}
-- When each export's rows happened, as it says: the times `dbt source freshness` measures per export
-- (__sources.yml, source build, one table per export filtered on `export`). A view: nothing is stored.
-- Salesforce opportunities carry no time of their own (CloseDate is a forecast) and are not measured.
select 'salesforce_contacts' as export, {{ parse_timestamp('LastModifiedDate') }} as happened_at from {{ ref('accepted_salesforce_contacts') }}
union all
select 'salesforce_leads', {{ parse_timestamp('CreatedDate') }} from {{ ref('accepted_salesforce_leads') }}
union all
select 'ga360_hits', {{ parse_timestamp('hitTimestamp') }} from {{ ref('accepted_ga360_hits') }}
union all
select 'firebase_events', {{ epoch_to_timestamp('event_timestamp') }} from {{ ref('accepted_firebase_events') }}
union all
select 'google_ads_campaign_stats', {{ parse_timestamp('date') }} from {{ ref('accepted_google_ads_campaign_stats') }}
union all
select 'braze_engagement', {{ parse_timestamp('time') }} from {{ ref('accepted_braze_engagement') }}
union all
select 'shopify_orders', {{ parse_timestamp('created_at') }} from {{ ref('accepted_shopify_orders') }}
union all
select 'zendesk_tickets', {{ parse_timestamp('created_at') }} from {{ ref('accepted_zendesk_tickets') }}
