import type { Tracer } from '@opentelemetry/api';
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { CustomerEvent } from '../events/schema';
import type { Logger } from '../logger';
import { answerCaps, boundedError } from './answer-limits';
import { clip, loggablePath } from './echo';
import { redactContacts } from '../redact';
import { ApiError } from './errors';
import { createGuard } from './guard';
import { createMetrics, createMetricsApp } from './metrics';
import { eventRoutes } from './event-routes';
import { segmentRoutes } from './segment/routes';
import { READ_SCOPE, resultsRoutes, type ResultsReader } from './results-routes';
import { journeyRoutes, MANAGE_SCOPE } from './journey-routes';
import { consoleRoutes, type ConsoleDeps } from '../console/routes';
import { traceRequests } from './tracing';
import type { Store } from '../store/store';

/** Everything the app talks to, passed in, so tests and the benchmark build apps against a real server. */
export interface AppDeps {
  config: Config;
  /** Hands one event to Temporal; resolves once it is durably recorded, throws ApiError TEMPORAL_UNAVAILABLE otherwise. */
  submit: (event: CustomerEvent) => Promise<void>;
  /** Resolves when Temporal answers within the readiness timeout. */
  checkTemporal: () => Promise<void>;
  logger: Logger;
  /** Where this app's metrics live; one per app. */
  registry: Registry;
  /** Event types the published journeys use now (see known-types.ts). */
  knownTypes: () => Promise<ReadonlySet<string>>;
  /** The shared store: the Segment-compatible intake keeps its anonymousId -> userId links there. */
  store: Store;
  /** Tracing on (src/telemetry): a span per request, the parent of what it hands Temporal. */
  tracer?: Tracer;
  /** Journeys' results (GET /v1/journeys/{id}/results), for keys with the read scope. */
  results: ResultsReader;
  /** What the console (/console) reads and changes besides the results. */
  console: Pick<ConsoleDeps, 'journeys' | 'running' | 'timeline' | 'templateChannels' | 'sweepArchived' | 'backtests'>;
}

/** The public app and the metrics app, served on two addresses (see server.ts). */
export interface EventApi {
  app: Hono;
  metrics: Hono;
}

/** The scope an API key needs to send events. */
export const EVENTS_SCOPE = 'events';

/** Refusals a flood produces by the thousand: counted in metrics, logged at debug only, so an attacker cannot fill the disk. */
const FLOOD_CODES = new Set(['RATE_LIMITED', 'ADDRESS_LOCKED']);

/** The event API: POST /v1/events, POST /v1/events/batch, GET /v1/journeys/{id}/results, /healthz, /readyz; GET /metrics on the metrics app. */
export function createApp(deps: AppDeps): EventApi {
  const { config, logger, registry, checkTemporal } = deps;
  const metrics = createMetrics(registry);
  const caps = answerCaps(config.api);
  const app = new Hono();
  // First, so every other middleware and the handler run inside the request's span.
  if (deps.tracer) app.use('*', traceRequests(deps.tracer));

  const reply = (c: Context, refusal: ApiError) => {
    const error = boundedError(refusal, caps);
    metrics.rejected.inc({ code: error.code });
    const line = { code: error.code, path: redactContacts(error.path), route: routePath(c, -1), url: loggablePath(c.req.path, config.api.maxEchoChars) };
    if (FLOOD_CODES.has(error.code)) logger.debug(line, 'request refused');
    else logger.info(line, 'request refused');
    if (error.status === 401) c.header('WWW-Authenticate', 'Bearer');
    if (error.retryAfterS !== undefined) c.header('Retry-After', String(error.retryAfterS));
    if (error.status === 503) c.header('Retry-After', '1');
    return c.json({ error }, error.status);
  };

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c, -1);
    metrics.latency.observe({ route, status: String(c.res.status) }, (performance.now() - started) / 1000);
    logger.debug({ method: c.req.method, route, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  app.get('/healthz', (c) => c.json({ status: 'up' }));
  // Only ready or not: the reason (Temporal's address, the gRPC error) is logged by checkTemporal, never shown.
  app.get('/readyz', async (c) => {
    try {
      await checkTemporal();
      return c.json({ status: 'ready' });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return c.json({ status: 'unavailable' }, 503);
    }
  });

  // The guard (lockout, rates, key) runs first, so nothing about the body is read for a caller without a key.
  // Reading journeys and customers takes the read scope, changing journeys the manage scope; everything else under /v1 sends events.
  const scopeOf = (c: Context) => (/^\/v1\/(journeys|customers)(\/|$)/.test(c.req.path) ? (c.req.method === 'GET' ? READ_SCOPE : MANAGE_SCOPE) : EVENTS_SCOPE);
  app.use('/v1/*', createGuard(config.api, scopeOf, logger));
  const journeyApi = journeyRoutes({ config, logger, ...deps.console });
  app.route('/v1/journeys', resultsRoutes(config, deps.results, logger));
  app.route('/v1/journeys', journeyApi.journeys);
  app.route('/v1/customers', journeyApi.customers);
  // The console: its own sign-in (a key in a cookie), the same keys and scopes.
  app.route('/console', consoleRoutes({ config, logger, results: deps.results, ...deps.console }));
  app.route('/v1/events', eventRoutes(deps, metrics));
  // Segment's HTTP tracking API (/v1/track, /v1/identify, ..., /v1/batch): docs/segment-rudderstack.md.
  app.route('/v1', segmentRoutes(deps, metrics));

  app.notFound((c) => reply(c, new ApiError('ROUTE_NOT_FOUND', '', `no route ${c.req.method} ${clip(c.req.path, config.api.maxEchoChars)}; see docs/events-api.md`)));
  app.onError((err, c) => {
    if (err instanceof ApiError) return reply(c, err);
    logger.error({ err, route: routePath(c, -1) }, 'request failed');
    return reply(c, new ApiError('INTERNAL_ERROR', '', 'the server failed to handle the request; retry later with the same messageId'));
  });
  return { app, metrics: createMetricsApp(registry) };
}
