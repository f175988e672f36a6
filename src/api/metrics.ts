import { Hono } from 'hono';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Request latency buckets in seconds: an accepted event costs one Temporal round trip
 * (milliseconds on loopback, tens of ms across zones); the top buckets catch the timeout path.
 */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The API's metrics, registered on the registry the app is given (one per app, so tests can build several). */
export function createMetrics(registry: Registry) {
  return {
    accepted: new Counter({
      name: 'waymark_events_accepted_total',
      help: 'Events Temporal durably accepted through the API',
      registers: [registry],
    }),
    unknownType: new Counter({
      name: 'waymark_events_unknown_type_total',
      help: 'Accepted events whose type no published journey uses (often a typo)',
      registers: [registry],
    }),
    repeated: new Counter({
      name: 'waymark_events_repeated_total',
      help: 'Events whose (customerId, messageId) this API process accepted recently: the same event (duplicate) or another one (conflict)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'waymark_events_rejected_total',
      help: 'Requests or batch items refused, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'waymark_api_request_duration_seconds',
      help: 'HTTP request duration, by route and status',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createMetrics>;

/**
 * GET /metrics, served on its own address (WAYMARK_API_METRICS_ADDRESS, loopback by default) and
 * never on the public port: the Node process metrics name runtime versions, and counters by
 * error code tell an attacker what works.
 */
export function createMetricsApp(registry: Registry): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }));
  return app;
}
