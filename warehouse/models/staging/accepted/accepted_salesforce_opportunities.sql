{{ accepted('salesforce_opportunities') }}
