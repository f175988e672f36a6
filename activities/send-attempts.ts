import type { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { DeliveryReceipt } from '../src/channels/port';
import type { AttemptMemory } from './deliver';

interface CarriedSends {
  accepted?: Record<string, DeliveryReceipt>;
}

/**
 * AttemptMemory in the activity's heartbeat details: a send the provider accepted is heartbeated
 * before its record is written, and Temporal gives the last details of a failed attempt to the
 * next one (tests/integration/send-record-fails.test.ts shows it on a real server).
 */
export function heartbeatMemory(ctx: Context): AttemptMemory {
  const accepted: Record<string, DeliveryReceipt> = { ...((ctx.info.heartbeatDetails as CarriedSends | undefined)?.accepted ?? {}) };
  return {
    accepted: (key) => accepted[key],
    remember(receipt) {
      accepted[receipt.key] = receipt;
      ctx.heartbeat({ accepted } satisfies CarriedSends);
    },
  };
}

/** How a send ended, as the waymark_sends metric counts it. */
export type SendOutcome = 'sent' | 'already_sent' | 'unconfirmed' | 'skipped' | 'deferred' | 'refused' | 'not_sent';

export function outcomeOf(receipt: DeliveryReceipt): SendOutcome {
  if (receipt.deferred) return 'deferred';
  if (receipt.skipped) return 'skipped';
  if (receipt.unconfirmed) return 'unconfirmed';
  return receipt.firstDelivery ? 'sent' : 'already_sent';
}

/**
 * Counts sends by outcome on the worker's metrics (the SDK's Prometheus endpoint,
 * WAYMARK_WORKER_METRICS_ADDRESS), as waymark_sends with an `outcome` label: unconfirmed sends
 * want an operator ('waymark sends unconfirmed'), refusals and retries a look at the provider.
 */
export function countSend(meter: MetricMeter, outcome: SendOutcome): void {
  meter.createCounter('waymark_sends', 'sends', 'Sends by outcome: sent, already_sent, unconfirmed, skipped, deferred, refused, not_sent').add(1, { outcome });
}
