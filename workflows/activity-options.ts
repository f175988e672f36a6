import type { ActivityOptions } from '@temporalio/workflow';
import type { ActivitySettings } from './contract';

/** Activity timeouts and retry policy from the run's settings (which come from config). */
export function activityOptions(s: ActivitySettings): ActivityOptions {
  return {
    startToCloseTimeout: s.startToCloseMs,
    scheduleToCloseTimeout: s.scheduleToCloseMs,
    retry: {
      initialInterval: s.retryInitialMs,
      maximumInterval: s.retryMaxIntervalMs,
      backoffCoefficient: s.retryBackoff,
      maximumAttempts: s.retryMaxAttempts,
    },
  };
}
