import { proxyActivities } from '@temporalio/workflow';
import type { DeliveryReceipt, OutgoingMessage } from '../../src/channels/port';

/** The activity the test worker registers: one Braze delivery, failures mapped by toActivityFailure. */
export interface BrazeTestActivities {
  deliverThroughBraze(message: OutgoingMessage): Promise<DeliveryReceipt>;
}

// A short initial interval: a retry that waits longer than this waited because the failure said so.
const { deliverThroughBraze } = proxyActivities<BrazeTestActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 3 },
});

/** Delivers one message through the activity, under Temporal's retry policy. */
export async function brazeDeliveryWorkflow(message: OutgoingMessage): Promise<DeliveryReceipt> {
  return deliverThroughBraze(message);
}
