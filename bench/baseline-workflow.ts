import { proxyActivities, setDefaultSignalHandler, sleep } from '@temporalio/workflow';
import type { BaselineActivities } from './baseline-activities';

export interface BaselineInput {
  customerId: string;
  /** From config (WAYMARK_ACTIVITY_START_TO_CLOSE, WAYMARK_BENCH_BASELINE_PARK): workflow code reads no environment. */
  startToCloseMs: number;
  parkMs: number;
}

/**
 * The bare Temporal baseline the engine is measured against: the least a journey can do for a
 * new customer. One activity records the customer (as the welcome email is recorded), then the
 * run parks on a long timer (as onboarding parks in its first wait). Signals, whatever their
 * name, are accepted and ignored: bench:events hands events to it with signal-with-start, as
 * the API does to routers.
 */
export async function baselineWorkflow(input: BaselineInput): Promise<void> {
  setDefaultSignalHandler(() => undefined);
  const { recordCustomer } = proxyActivities<BaselineActivities>({ startToCloseTimeout: input.startToCloseMs });
  await recordCustomer(input.customerId);
  await sleep(input.parkMs);
}
