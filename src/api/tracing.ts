import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

const fromHeaders: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * A server span per request (tracing on). A caller that sends a W3C `traceparent` gets its trace
 * continued; otherwise the request starts one. What the request hands Temporal runs inside the
 * span, so the client interceptor carries it into the customer's router. The span names the
 * route, never the path or the query, which could hold what a caller typed.
 */
export function traceRequests(tracer: Tracer): MiddlewareHandler {
  return async (c, next) => {
    const caller = propagation.extract(ROOT_CONTEXT, c.req.raw.headers, fromHeaders);
    const span = tracer.startSpan(c.req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method } }, caller);
    try {
      await context.with(trace.setSpan(caller, span), next);
    } finally {
      const route = routePath(c, -1);
      span.updateName(`${c.req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status });
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
