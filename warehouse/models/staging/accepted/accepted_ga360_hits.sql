{{ accepted('ga360_hits') }}
