import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger';
import type { Config } from '../config';

/** How often a collector that keeps failing is mentioned in the log. */
const SAY_EVERY_MS = 60_000;

/** Spans to the collector over OTLP/HTTP, each export bounded by the timeout (the exporter's retries included). */
export function otlpExporter(settings: Config['tracing'], logger: Logger): SpanExporter {
  const exporter = new OTLPTraceExporter({ url: settings.otlpUrl, timeoutMillis: settings.otlpTimeoutMs });
  return sayingFailures(exporter, logger, collectorOf(settings.otlpUrl));
}

/** The collector's address as logged: without any user or password the URL may carry. */
export function collectorOf(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}

/**
 * Exporting is best effort: a collector that is down or slow costs the spans of that batch, never
 * a request, a run or a send. A failure is logged at most once a minute, with how many spans were
 * lost since the last line, so an outage of the collector does not fill the log.
 */
export function sayingFailures(exporter: SpanExporter, logger: Logger, collector: string, everyMs = SAY_EVERY_MS): SpanExporter {
  let saidAt = -Infinity;
  let lost = 0;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          lost += spans.length;
          if (Date.now() - saidAt >= everyMs) {
            logger.warn({ collector, reason: result.error?.message, spansLost: lost }, 'tracing: spans not exported (the work they describe went on)');
            saidAt = Date.now();
            lost = 0;
          }
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
