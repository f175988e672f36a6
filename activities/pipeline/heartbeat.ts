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
  context.heartbeat(detail());
  const beat = setInterval(() => context.heartbeat(detail()), every);
  try {
    return await Promise.race([
      work(),
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
 * One activity over a stage's items (sources, models, checks): `together` hands them all to the
 * warehouse at once, otherwise one after another. What is done is kept in the heartbeat, so a retried attempt goes on after it. Results
 * come back in the items' order.
 */
export async function runStage<R>(step: string, items: string[], mode: 'together' | 'in order', work: (item: string) => Promise<R>): Promise<R[]> {
  const context = Context.current();
  const before = context.info.heartbeatDetails as Partial<StageProgress<R>> | undefined;
  const done: Record<string, R> = before?.step === step && before.done ? { ...before.done } : {};
  const carried = items.filter((item) => Object.hasOwn(done, item));
  if (carried.length) context.log.warn(`${step}: going on after an earlier attempt, which did ${carried.length} of ${items.length}`, { step, carried });
  const running = new Set<string>();
  const progress = (): StageProgress<R> => ({ step, total: items.length, done, running: [...running] });
  const one = async (item: string): Promise<R> => {
    if (Object.hasOwn(done, item)) return done[item]!;
    running.add(item);
    try {
      done[item] = await work(item);
    } catch (err) {
      throw naming(item, err);
    } finally {
      running.delete(item);
    }
    context.heartbeat(progress());
    return done[item]!;
  };
  return withHeartbeat(progress, async () => {
    if (mode === 'together') {
      // Every item settles before the stage fails: nothing of a failed attempt runs on beside the next.
      const settled = await Promise.allSettled(items.map(one));
      const failure = settled.find((s) => s.status === 'rejected');
      if (failure) throw failure.reason;
      return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
    }
    const out: R[] = [];
    for (const item of items) out.push(await one(item));
    return out;
  });
}
