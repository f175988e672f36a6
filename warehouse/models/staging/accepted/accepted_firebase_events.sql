{{ accepted('firebase_events') }}
