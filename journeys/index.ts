import onboarding from './onboarding';
import churnPrevention from './churn-prevention';
import trialConversion from './trial-conversion';

/** The journeys that ship with Waymark, by the file they come from (named in validation errors). */
export const SHIPPED_JOURNEYS: Record<string, unknown> = {
  'journeys/onboarding.ts': onboarding,
  'journeys/churn-prevention.ts': churnPrevention,
  'journeys/trial-conversion.ts': trialConversion,
};
