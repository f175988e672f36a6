import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { CustomerEvent } from '../events/schema';
import type { Logger } from '../logger';
import { createKeyCheck, presentedKey } from './auth';
import { ApiError } from './errors';
import { createMetrics } from './metrics';
import { eventRoutes } from './event-routes';

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
  /** Event types the published journeys use (see known-types.ts). */
  knownTypes: ReadonlySet<string>;
}

/** The scope an API key needs to send events. */
export const EVENTS_SCOPE = 'events';

/** The event API: POST /v1/events, POST /v1/events/batch, /healthz, /readyz, /metrics. */
export function createApp(deps: AppDeps): Hono {
  const { config, logger, registry, checkTemporal } = deps;
  const metrics = createMetrics(registry);
  const authorize = createKeyCheck(config.api.apiKeys);
  const app = new Hono();

  const reply = (c: Context, error: ApiError) => {
    metrics.rejected.inc({ code: error.code });
    logger.info({ code: error.code, path: error.path, route: routePath(c, -1) }, 'request refused');
    if (error.status === 401) c.header('WWW-Authenticate', 'Bearer');
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
  app.get('/readyz', async (c) => {
    try {
      await checkTemporal();
      return c.json({ status: 'ready' });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      logger.warn({ code: err.code, reason: err.message }, 'not ready');
      return c.json({ status: 'unavailable', error: err }, 503);
    }
  });
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }));

  // Authentication first, so nothing about the body is revealed or parsed for a caller without a key.
  app.use('/v1/*', async (c, next) => {
    authorize(presentedKey((name) => c.req.header(name)), EVENTS_SCOPE);
    await next();
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: config.api.maxBodyBytes,
      onError: (c) => {
        // The rest of the body is never read, so this connection cannot carry another request.
        c.header('Connection', 'close');
        return reply(c, new ApiError('BODY_TOO_LARGE', '', `the body is larger than ${config.api.maxBodyBytes} bytes; split it into smaller requests or batches`));
      },
    }),
  );
  app.route('/v1/events', eventRoutes(deps, metrics));

  app.notFound((c) => reply(c, new ApiError('ROUTE_NOT_FOUND', '', `no route ${c.req.method} ${c.req.path}; see docs/events-api.md`)));
  app.onError((err, c) => {
    if (err instanceof ApiError) return reply(c, err);
    logger.error({ err, route: routePath(c, -1) }, 'request failed');
    return reply(c, new ApiError('INTERNAL_ERROR', '', 'the server failed to handle the request; retry later with the same messageId'));
  });
  return app;
}
