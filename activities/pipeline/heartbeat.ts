import { Context } from '@temporalio/activity';

/**
 * Runs a long warehouse step while heartbeating, so a worker that died is noticed within the
 * heartbeat timeout (not the step timeout), and a cancelled run stops waiting at the next beat.
 * The statement under way is left to finish: every step is safe to run again.
 */
export async function withHeartbeat<T>(step: string, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const every = Math.max(1_000, Math.floor((context.info.heartbeatTimeoutMs ?? 30_000) / 3));
  context.heartbeat({ step });
  const beat = setInterval(() => context.heartbeat({ step }), every);
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
