import { Context } from '@temporalio/activity';
import { WarehouseError } from '../../src/warehouse/port';

/**
 * Runs a long warehouse step while heartbeating `details()`, so a worker that died is noticed
 * within the heartbeat timeout (not the step timeout), and a cancelled run stops waiting at the
 * next beat. The statement under way is left to finish: every step is safe to run again.
 */
export async function withHeartbeat<T>(details: string | (() => unknown), work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const detail = typeof details === 'string' ? () => ({ step: details }) : details;
  const every = Math.max(1_000, Math.floor((context.info.heartbeatTimeoutMs ?? 30_000) / 3));
  const working = work(); // started first, so the first beat already says what runs
  context.heartbeat(detail());
  const beat = setInterval(() => context.heartbeat(detail()), every);
  try {
    return await Promise.race([
      working,
      new Promise<never>((_resolve, reject) => {
        if (context.cancellationSignal.aborted) reject(context.cancellationSignal.reason);
        context.cancellationSignal.addEventListener('abort', () => reject(context.cancellationSignal.reason), { once: true });
      }),
    ]);
  } finally {
    clearInterval(beat);
  }
}

/** A stage's heartbeat: what is done (with each one's result) and what runs now. */
export interface StageProgress<R> {
  step: string;
  total: number;
  done: Record<string, R>;
  running: string[];
}

/** The same error, its message starting with the source, model or check it came from. */
function naming(item: string, err: unknown): unknown {
  if (err instanceof WarehouseError) return new WarehouseError(`${item}: ${err.message}`, err.retryable, { cause: err });
  if (err instanceof Error && err.name === 'Error') return new Error(`${item}: ${err.message}`, { cause: err });
  return err;
}

/**
 * One activity over a stage's items (sources, models, checks), `lanes` at a time (1: in order).
 * What is done is kept in the heartbeat, so a retried attempt goes on after it. After a failure
 * or a cancellation no item starts, the ones under way finish, and the first failure is thrown.
 * Results come back in the items' order.
 */
export async function runStage<R>(step: string, items: string[], lanes: number, work: (item: string) => Promise<R>): Promise<R[]> {
  const context = Context.current();
  const before = context.info.heartbeatDetails as Partial<StageProgress<R>> | undefined;
  const done: Record<string, R> = before?.step === step && before.done ? { ...before.done } : {};
  const carried = items.filter((item) => Object.hasOwn(done, item));
  if (carried.length) context.log.warn(`${step}: going on after an earlier attempt, which did ${carried.length} of ${items.length}`, { step, carried });
  const running = new Set<string>();
  const progress = (): StageProgress<R> => ({ step, total: items.length, done, running: [...running] });
  const failures: unknown[] = [];
  let next = 0;
  const lane = async () => {
    // A cancelled attempt starts nothing more; the item under way is left to finish.
    while (next < items.length && !failures.length && !context.cancellationSignal.aborted) {
      const item = items[next++]!;
      if (Object.hasOwn(done, item)) continue;
      running.add(item);
      // Beats are throttled by the worker: the server gets the latest, which says what runs now.
      context.heartbeat(progress());
      try {
        done[item] = await work(item);
      } catch (err) {
        failures.push(naming(item, err));
      } finally {
        running.delete(item);
      }
      context.heartbeat(progress());
    }
  };
  return withHeartbeat(progress, async () => {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
    if (failures.length) throw failures[0];
    return items.map((item) => done[item]!);
  });
}
