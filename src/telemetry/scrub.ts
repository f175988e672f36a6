import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactContacts } from '../redact';

const clean = (value: unknown) => (typeof value === 'string' ? redactContacts(value) : value);

/**
 * A span records the error of what failed (its status message, an exception event): a failed
 * send's may quote the address it was sent to. Such text leaves the process with email- and
 * phone-like parts replaced, as in log lines (src/redact.ts).
 */
function scrubbed(span: ReadableSpan): ReadableSpan {
  if (!span.status.message && span.events.length === 0) return span;
  const status = { ...span.status, ...(span.status.message ? { message: redactContacts(span.status.message) } : {}) };
  const events = span.events.map((event) => (event.attributes ? { ...event, attributes: Object.fromEntries(Object.entries(event.attributes).map(([k, v]) => [k, clean(v)])) as Attributes } : event));
  // A span is a class instance with getters (duration, ended): a copy made on top of it keeps them.
  return Object.create(span, { status: { value: status, enumerable: true }, events: { value: events, enumerable: true } }) as ReadableSpan;
}

/** `exporter`, sent scrubbed spans. */
export function scrubbing(exporter: SpanExporter): SpanExporter {
  return {
    export: (spans, done) => exporter.export(spans.map(scrubbed), done),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
