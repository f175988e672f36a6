{{ accepted('braze_engagement') }}
