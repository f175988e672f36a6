{{ accepted('zendesk_tickets') }}
