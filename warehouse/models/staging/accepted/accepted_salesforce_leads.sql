{{ accepted('salesforce_leads') }}
