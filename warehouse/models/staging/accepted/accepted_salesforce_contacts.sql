{{ accepted('salesforce_contacts') }}
