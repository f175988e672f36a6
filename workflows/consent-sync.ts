import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import { activityOptions } from './activity-options';
import type { ConsentSyncInput } from './contract';

/**
 * Tells the provider one consent change the router has recorded in the profile (docs/channels.md).
 * A run of its own, so a provider that is down or slow retries here, on this run's policy, while
 * the customer's router goes on with the next events; a refusal fails this run, with the reason.
 */
export async function consentSyncWorkflow({ customerId, consent, activity }: ConsentSyncInput): Promise<void> {
  const { syncConsent } = proxyActivities<JourneyActivities>(activityOptions(activity));
  setCurrentDetails(`Telling the provider: ${Object.entries(consent).map(([channel, state]) => `${channel} ${state}`).join(', ')}`);
  await syncConsent(customerId, consent);
}
