import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger';
import { collectorOf, otlpExporter } from './exporter';
import { scrubbing } from './scrub';
import type { Config } from '../config';

/** The processes that trace, each under its own service name (`waymark-api`, ...). */
export type TracedService = 'api' | 'worker' | 'pipeline-worker' | 'dev';

/** A process's tracing, when on: what the API's middleware and the Temporal interceptors need. */
export interface Tracing {
  tracer: Tracer;
  /** Where the spans of workflows (made in the sandbox, handed out through a sink) join the process's own. */
  processor: SpanProcessor;
  resource: Resource;
  /** Exports what is queued now (each export bounded by the timeout). */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Tracing for this process, or undefined when it is off (nothing is installed then). Spans are
 * batched and exported in the background, errors' texts scrubbed of contact details; `exporter`
 * replaces the OTLP one (tests keep spans in memory).
 */
export function startTracing(settings: Config['tracing'], service: TracedService, logger: Logger, exporter?: SpanExporter): Tracing | undefined {
  if (!settings.enabled) return undefined;
  carryContextAcrossAwaits();
  const resource = Resource.default().merge(new Resource({ 'service.name': `waymark-${service}` }));
  const processor = new BatchSpanProcessor(scrubbing(exporter ?? otlpExporter(settings, logger)), { exportTimeoutMillis: settings.otlpTimeoutMs });
  const provider = new BasicTracerProvider({ resource, mergeResourceWithDefaults: false, spanProcessors: [processor] });
  if (!exporter) logger.info({ service: `waymark-${service}`, collector: collectorOf(settings.otlpUrl) }, 'tracing on: spans go to the OTLP collector');
  return { tracer: provider.getTracer('waymark'), processor, resource, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}

/**
 * Temporal's interceptors read the active span from OpenTelemetry's global context manager and
 * write it into headers with the global propagator; both are no-ops until set. Set once per
 * process (a second call finds them set and leaves them).
 */
function carryContextAcrossAwaits(): void {
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}
