import { ApplicationFailure } from '@temporalio/activity';
import type { SendLedger } from '../src/channels/ledger';
import { ChannelError, type DeliveryReceipt, type MessageChannel, type MessageRequest } from '../src/channels/port';
import { alternatives, passedOver, unreachable } from '../src/channels/fallback';
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

/** A refusal no retry changes (a bad address, a hard bounce, a 4xx): a step with a fallback tries its next channel. */
const refused = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type, { outcome: 'rejected' });
const isRefusal = (err: unknown): err is ApplicationFailure =>
  err instanceof ApplicationFailure && err.nonRetryable === true && (err.details?.[0] as { outcome?: unknown } | undefined)?.outcome === 'rejected';

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
 *   with the template version rendered: a retry renders that version again; generated content
 *   (or the template chosen as its fallback) is pinned before the call, so a retry sends the same;
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
      throw refused(before.detail ?? 'refused by the provider', SEND_REJECTED);
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
    outgoing = await composer.compose({ ...message, attributes: profile }, profile, before?.templateVersion ?? current, { ...(before?.content ? { pinned: before.content } : {}), ...(signal ? { signal } : {}) });
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    await ledger.settle(message.key, 'failed', err.message);
    throw ApplicationFailure.nonRetryable(err.message, err.code);
  }
  // Generated content (or the fallback chosen for it) is pinned before the call: a retry sends the same words.
  if (message.generate && outgoing.contentSource && !before?.content) {
    const generated = outgoing.contentSource.kind === 'model' ? outgoing.content : undefined;
    if (!(await ledger.pinContent(message.key, outgoing.contentSource, generated))) {
      throw ApplicationFailure.create({ message: 'another attempt of this send chose its content first; the retry sends that content', type: 'SEND_CONTENT_PINNED' });
    }
  }
  try {
    const receipt = await channel.deliver(outgoing, signal);
    await ledger.sent(message.key, receipt.recordedAt, receipt.providerMessageId, outgoing.contentSource);
    return receipt;
  } catch (err) {
    if (!(err instanceof ChannelError)) {
      await ledger.settle(message.key, 'retry', (err as Error).message);
      throw err;
    }
    if (err.outcome === 'rejected') {
      await ledger.settle(message.key, 'failed', err.message);
      throw refused(err.message, err.code ?? SEND_REJECTED);
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

/**
 * A send step's channels in order (src/channels/fallback.ts), each sent at most once under its own
 * send key through deliverOnce. A channel is passed over when it cannot reach the customer: no
 * consent, no address on the profile, or a refusal from the provider (a retry of this activity
 * finds that refusal in the ledger and passes over it again, calling nothing). The first other
 * answer is the step's: sent, held by quiet hours or a cap (no reason to try another channel), a
 * failure to retry. When no channel is left the message is not sent, with every reason; a refusal
 * of the last channel fails the step as it would without a fallback.
 */
export async function deliverInOrder(message: MessageRequest, deps: DeliveryDeps, signal?: AbortSignal): Promise<DeliveryReceipt> {
  if (!message.fallback?.length) return deliverOnce(message, deps, signal);
  const nowMs = message.requestedAt ? Date.parse(message.requestedAt) : Date.now();
  const profile = message.attributes ?? (await deps.profiles.get(message.customerId));
  const passed: string[] = [];
  const all = alternatives(message);
  // An earlier attempt of this send that got as far as a channel (sent, or maybe sent) settles the
  // choice: consent or an address that changed since must not add a second message on another channel.
  const entries = await deps.ledger.states(all.map((o) => o.key));
  const committed = all.findIndex((o) => {
    const entry = entries.get(o.key);
    return entry !== undefined && entry.state !== 'failed';
  });
  for (let i = 0; i < all.length; i++) {
    const option = all[i]!;
    const entry = entries.get(option.key);
    const recorded = entry?.state === 'failed' ? (entry.detail ?? 'refused by the provider') : undefined;
    const why = i === committed ? undefined : (recorded ?? (i < committed ? 'passed over by an earlier attempt of this send' : unreachable(option, profile, nowMs, deps.policy)));
    if (why) {
      passed.push(passedOver(option, why));
      if (recorded && i === all.length - 1) throw refused(`no channel of the step reached the customer: ${passed.join('; ')}`, SEND_REJECTED);
      continue;
    }
    let receipt: DeliveryReceipt;
    try {
      receipt = await deliverOnce({ ...option, attributes: profile }, deps, signal);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      passed.push(passedOver(option, err.message));
      if (i === all.length - 1) throw refused(`no channel of the step reached the customer: ${passed.join('; ')}`, err.type ?? SEND_REJECTED);
      continue;
    }
    const used = { channel: option.channel, template: option.template, ...(passed.length ? { insteadOf: `instead of ${passed.join('; ')}` } : {}) };
    // The run's path names the step's first channel for a hold or a skip: say which channel it was.
    const label = i ? ` (${option.channel} ${option.template}, ${used.insteadOf})` : '';
    if (receipt.deferred) return { ...receipt, ...used, deferred: { ...receipt.deferred, reason: receipt.deferred.reason + label } };
    if (receipt.skipped) return { ...receipt, ...used, skipped: receipt.skipped + label };
    return { ...receipt, ...used };
  }
  return { key: message.key, firstDelivery: false, recordedAt: new Date(nowMs).toISOString(), skipped: `no channel can reach the customer: ${passed.join('; ')}` };
}
