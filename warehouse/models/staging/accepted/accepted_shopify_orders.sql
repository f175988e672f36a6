{{ accepted('shopify_orders') }}
