{{ accepted('google_ads_campaign_stats') }}
