import { context, type Context } from '@opentelemetry/api';

export type Trace = Context;

/**
 * The trace a signal arrived in, kept with what it brought for the work done later in a run's main
 * loop: without it, all a long-lived router does would hang under the request that started it.
 * In a bundle without the tracing interceptors (workflows/interceptors.ts) there is no context
 * manager: the context is empty, `inTrace` only calls `work`, and nothing reaches the history.
 */
export function arrivalTrace(): Trace {
  return context.active();
}

/** Runs `work` in `trace` (no extra await: the run's commands come in the same order as without it). */
export function inTrace<T>(trace: Trace | undefined, work: () => Promise<T>): Promise<T> {
  return trace ? context.with(trace, work) : work();
}
