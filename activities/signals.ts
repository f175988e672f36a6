import { WorkflowNotFoundError, type Client } from '@temporalio/client';

export interface SignalTarget {
  workflowId: string;
  signal: string;
  arg: unknown;
}

/**
 * Signals runs by workflow id, all at once. "not-found" means the run has ended (or never was):
 * the caller's answer, not a failure. Other errors fail the activity, which Temporal retries;
 * a retry may deliver a signal twice, so receivers drop repeats (by messageId or token).
 */
export async function signalRuns(client: Client, targets: SignalTarget[]): Promise<Array<'delivered' | 'not-found'>> {
  return Promise.all(
    targets.map(async ({ workflowId, signal, arg }) => {
      try {
        await client.workflow.getHandle(workflowId).signal(signal, arg);
        return 'delivered' as const;
      } catch (err) {
        if ((err as Error).name === WorkflowNotFoundError.name) return 'not-found' as const;
        throw err;
      }
    }),
  );
}
