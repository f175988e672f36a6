/**
 * Workflow interceptors of a traced worker (src/telemetry/interceptors.ts adds this module to its
 * bundle; an untraced worker's bundle does not have it). The SDK's OpenTelemetry interceptors, with
 * one change: the span of a run. Spans leave the sandbox only once ended, and the SDK ends a run's
 * span when the run ends: days later for a journey, years for a router, so everything under it
 * would hang from a parent no collector has seen. Here the run's span marks its start and ends at
 * once; the run's activities, signals and starts are its children all the same.
 */
import { context, trace } from '@opentelemetry/api';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { workflowInfo, type Next, type WorkflowExecuteInput, type WorkflowInboundCallsInterceptor, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

class RunStartSpan extends OpenTelemetryInboundInterceptor {
  // Span ids come from the sandbox's seeded Math.random: a replay makes the same span (and does not export it again).
  // So with tracing on, workflow code would draw other random numbers (uuid4, Math.random) than without: none draws any.
  override execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const parent = extractContextFromHeaders(input.headers) ?? context.active();
    // The worker's sink adds the run's identity (workflowId, runId) to this span as to every other.
    const span = this.tracer.startSpan(`RunWorkflow:${workflowInfo().workflowType}`, {}, parent);
    span.end();
    return context.with(trace.setSpan(parent, span), () => next(input));
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new RunStartSpan()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
