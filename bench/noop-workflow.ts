import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const noopSignal = defineSignal<[unknown]>('event');

/**
 * The baseline the event API is measured against: a long-lived per-customer workflow that takes
 * events as signals and does nothing with them, like the router minus its work.
 */
export async function noopWorkflow(_input?: unknown): Promise<void> {
  setHandler(noopSignal, () => undefined);
  await condition(() => false);
}
