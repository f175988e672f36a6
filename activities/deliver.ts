import { ApplicationFailure } from '@temporalio/activity';
import type { SendLedger } from '../src/channels/ledger';
import { ChannelError, type DeliveryReceipt, type MessageChannel, type MessageRequest } from '../src/channels/port';
import { capFor, checkPolicy, type PolicySettings } from '../src/channels/policy';
import type { ProfileStore } from '../src/profiles/port';
import type { MessageComposer } from '../src/templates/compose';
import { TemplateRenderError } from '../src/templates/render';

/** Failure types a run records: what no retry can change. */
export const SEND_REJECTED = 'SEND_REJECTED';
export const SEND_OUTCOME_UNKNOWN = 'SEND_OUTCOME_UNKNOWN';

export interface DeliveryDeps {
  channel: MessageChannel;
  composer: MessageComposer;
  ledger: SendLedger;
  profiles: ProfileStore;
  policy: PolicySettings;
}

const unknownOutcome = (message: MessageRequest, provider: string) =>
  ApplicationFailure.nonRetryable(
    `the outcome of ${message.channel} ${message.template} is unknown: an earlier attempt reached ${provider} and stopped before its answer was recorded; it is not sent again by itself (see 'waymark customer ${message.customerId}')`,
    SEND_OUTCOME_UNKNOWN,
  );

/**
 * Sends one message at most once, within the contact policy, through the send ledger:
 * - consent, then quiet hours, then the frequency cap: a message they hold back is skipped or
 *   deferred (the receipt says until when and why; the run asks again then);
 * - the intent is recorded under the send key before the channel is called, the outcome after,
 *   with the template version rendered: a retry renders that version again;
 * - a key already sent is not sent again (a retry, another worker, a replay);
 * - an intent without an outcome means an attempt died between the call and the record: a keyed
 *   channel is called again (it sends nothing twice), any other is recorded unknown and surfaced;
 * - a refusal that no retry can change fails the run's step for good, with the provider's reason.
 */
export async function deliverOnce(message: MessageRequest, { channel, composer, ledger, profiles, policy }: DeliveryDeps, signal?: AbortSignal): Promise<DeliveryReceipt> {
  // The run's clock, not this process's: a preview on a time-skipping server judges quiet hours and caps at the run's time.
  const nowMs = message.requestedAt ? Date.parse(message.requestedAt) : Date.now();
  const kept = (fields: Pick<DeliveryReceipt, 'skipped' | 'deferred'>): DeliveryReceipt => ({ key: message.key, firstDelivery: false, recordedAt: new Date(nowMs).toISOString(), ...fields });
  const profile = message.attributes ?? (await profiles.get(message.customerId));
  const verdict = checkPolicy(message, profile, nowMs, policy);
  if (verdict.kind === 'skip') return kept({ skipped: verdict.reason });
  if (verdict.kind === 'defer') return kept({ deferred: { until: new Date(verdict.untilMs).toISOString(), reason: verdict.reason } });

  const cap = capFor(message, policy);
  const current = await composer.currentVersion(message.template);
  const before = await ledger.begin(message, channel.provider, current, nowMs, cap);
  if (before && 'capped' in before) {
    const reason = `the ${message.channel} cap of ${cap!.count} per ${cap!.windowMs / 1000}s (WAYMARK_FREQUENCY_CAPS)`;
    return policy.capOverflow === 'drop' ? kept({ skipped: `${reason} was reached; WAYMARK_CAP_OVERFLOW=drop` }) : kept({ deferred: { until: before.freeAt, reason } });
  }
  switch (before?.state) {
    case 'sent':
      return { key: message.key, firstDelivery: false, recordedAt: before.outcomeAt! };
    case 'failed':
      throw ApplicationFailure.nonRetryable(before.detail ?? 'refused by the provider', SEND_REJECTED);
    case 'unknown':
      throw unknownOutcome(message, channel.provider);
    case 'intent':
      if (!channel.keyed) {
        await ledger.settle(message.key, 'unknown', 'an attempt stopped between the provider call and the record');
        throw unknownOutcome(message, channel.provider);
      }
  }
  let outgoing;
  try {
    outgoing = await composer.compose({ ...message, attributes: profile }, profile, before?.templateVersion ?? current);
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    await ledger.settle(message.key, 'failed', err.message);
    throw ApplicationFailure.nonRetryable(err.message, err.code);
  }
  try {
    const receipt = await channel.deliver(outgoing, signal);
    await ledger.sent(message.key, receipt.recordedAt, receipt.providerMessageId);
    return receipt;
  } catch (err) {
    if (!(err instanceof ChannelError)) {
      await ledger.settle(message.key, 'retry', (err as Error).message);
      throw err;
    }
    if (err.outcome === 'rejected') {
      await ledger.settle(message.key, 'failed', err.message);
      throw ApplicationFailure.nonRetryable(err.message, err.code ?? SEND_REJECTED);
    }
    if (err.outcome === 'unknown' && !channel.keyed) {
      // The provider may have sent it: never sent again by itself (an operator may resend on purpose).
      await ledger.settle(message.key, 'unknown', err.message);
      throw ApplicationFailure.nonRetryable(`${err.message}; the message may have been sent, so it is not sent again by itself`, SEND_OUTCOME_UNKNOWN);
    }
    await ledger.settle(message.key, 'retry', err.message);
    throw ApplicationFailure.create({ message: err.message, type: err.code ?? 'SEND_NOT_SENT', ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}) });
  }
}
