import type { ClientOptions } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Tracing } from './tracing';

/** The workflow interceptors a traced worker's bundle needs; a prebuilt bundle is built with them (bundleWorkflowCode's workflowInterceptorModules). */
export const TRACING_WORKFLOW_MODULES = [require.resolve('../../workflows/interceptors')];

/** A client's options with tracing: each start, signal and signal-with-start carries the active trace to the workflow. Nothing when off. */
export function clientTracing(tracing: Tracing | undefined): Pick<ClientOptions, 'interceptors'> {
  return tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] } } : {};
}

/**
 * A worker's options with tracing: a span per activity (local ones too) under the workflow's, and
 * for its workflows the interceptors and the sink through which their spans leave the sandbox.
 * `workflows`: bundled by Worker.create (the interceptors are added), a prebuilt bundle (which
 * must hold TRACING_WORKFLOW_MODULES already), or none (an activities-only worker). Nothing when off.
 */
export function workerTracing(tracing: Tracing | undefined, workflows: 'bundled' | 'prebuilt' | 'none' = 'bundled'): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return {};
  const { tracer } = tracing;
  const activity: NonNullable<WorkerOptions['interceptors']>['activity'] = [
    (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
  ];
  if (workflows === 'none') return { interceptors: { activity } };
  return {
    interceptors: { activity, ...(workflows === 'bundled' ? { workflowModules: TRACING_WORKFLOW_MODULES } : {}) },
    sinks: { exporter: workflowSpans(tracing) },
  };
}

/**
 * The SDK's sink copies the whole workflow info onto every span; that includes the memo and the
 * last failure, decoded, which the payload codec keeps out of Temporal's history. Only the run's
 * identity goes with the spans.
 */
function workflowSpans({ processor, resource }: Tracing) {
  const sink = makeWorkflowExporter(processor, resource);
  return {
    export: {
      ...sink.export,
      fn: (info: WorkflowInfo, spans: Parameters<typeof sink.export.fn>[1]) => {
        const { namespace, taskQueue, workflowType, workflowId, runId } = info;
        sink.export.fn({ namespace, taskQueue, workflowType, workflowId, runId } as WorkflowInfo, spans);
      },
    },
  };
}
