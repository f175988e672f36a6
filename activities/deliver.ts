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
/** The step's template is not published (or is for another channel): nothing to send. */
export const SEND_NO_CONTENT = 'SEND_NO_CONTENT';

export interface DeliveryDeps {
  channel: MessageChannel;
  composer: MessageComposer;
  ledger: SendLedger;
  profiles: ProfileStore;
  policy: PolicySettings;
  /** What one attempt of the activity leaves for the next (see AttemptMemory); none outside an activity. */
  memory?: AttemptMemory;
}

/**
 * Sends the provider accepted whose record in the ledger failed (a statement timeout, a reset
 * connection, a failover): the next attempt of the activity records them and sends nothing.
 * The activity keeps them in its heartbeat details, which Temporal hands to the next attempt.
 */
export interface AttemptMemory {
  accepted(key: string): DeliveryReceipt | undefined;
  remember(receipt: DeliveryReceipt): void;
}

/** A refusal no retry changes (a bad address, a hard bounce, a 4xx): a step with a fallback tries its next channel. */
const refused = (message: string, type: string) => ApplicationFailure.nonRetryable(message, type, { outcome: 'rejected' });
const isRefusal = (err: unknown): err is ApplicationFailure =>
  err instanceof ApplicationFailure && err.nonRetryable === true && (err.details?.[0] as { outcome?: unknown } | undefined)?.outcome === 'rejected';

/**
 * A send that may have reached the provider without its answer reaching us (a timeout, a lost
 * connection, a worker killed mid-call): nearly always delivered, so the run goes on as sent and
 * says "unconfirmed"; the ledger keeps it for an operator ('waymark sends unconfirmed'). It is
 * never sent again by itself: Braze has no idempotency key, a second call is a second message.
 */
const unconfirmed = (key: string, why: string, firstDelivery: boolean, at = new Date().toISOString()): DeliveryReceipt => ({ key, firstDelivery, recordedAt: at, unconfirmed: why });
const STOPPED_MID_CALL = 'an attempt stopped between the provider call and the record of its answer';

/**
 * Sends one message at most once, within the contact policy, through the send ledger:
 * - consent, then quiet hours, then the frequency cap: a message they hold back is skipped or
 *   deferred (the receipt says until when and why; the run asks again then);
 * - the intent is recorded under the send key before the channel is called, the outcome after,
 *   with the template version rendered: a retry renders that version again; generated content
 *   (or the template chosen as its fallback) is pinned before the call, so a retry sends the same;
 * - a key already sent is not sent again (a retry, another worker, a replay);
 * - an intent without an outcome means an attempt died between the call and the record: a keyed
 *   channel is called again (it sends nothing twice); for any other the send is unconfirmed
 *   (probably delivered, never sent again by itself; the ledger state "unknown"), unless the
 *   earlier attempt left the provider's answer in its heartbeat (AttemptMemory);
 * - a refusal that no retry can change fails the run's step for good, with the provider's reason.
 */
export async function deliverOnce(message: MessageRequest, { channel, composer, ledger, profiles, policy, memory }: DeliveryDeps, signal?: AbortSignal): Promise<DeliveryReceipt> {
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
      return unconfirmed(message.key, before.detail ?? STOPPED_MID_CALL, false, before.outcomeAt);
    case 'intent': {
      // The provider accepted it in an earlier attempt whose record failed: record it now, send nothing.
      const accepted = memory?.accepted(message.key);
      if (accepted) {
        await ledger.sent(message.key, accepted.recordedAt, accepted.providerMessageId);
        return accepted;
      }
      if (!channel.keyed) {
        await ledger.settle(message.key, 'unknown', STOPPED_MID_CALL);
        return unconfirmed(message.key, STOPPED_MID_CALL, true);
      }
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
  if (!outgoing.content) {
    // Whatever the channel (the local one would take it): a message without content is never "sent".
    const reason = `no content to send: ${outgoing.contentMissing ?? 'the message was not rendered'}`;
    await ledger.settle(message.key, 'failed', reason);
    throw refused(reason, SEND_NO_CONTENT);
  }
  // Generated content (or the fallback chosen for it) is pinned before the call: a retry sends the same words.
  if (message.generate && outgoing.contentSource && !before?.content) {
    const generated = outgoing.contentSource.kind === 'model' ? outgoing.content : undefined;
    if (!(await ledger.pinContent(message.key, outgoing.contentSource, generated))) {
      throw ApplicationFailure.create({ message: 'another attempt of this send chose its content first; the retry sends that content', type: 'SEND_CONTENT_PINNED' });
    }
  }
  let receipt: DeliveryReceipt;
  try {
    // Without the activity's cancellation signal: a worker that stops (its shutdown grace spent)
    // lets a call under way finish, within the channel's own timeout, so its answer is recorded.
    // Cut short, it could have sent without our knowing, and the next worker would send again.
    receipt = await channel.deliver(outgoing);
  } catch (err) {
    return settleFailure(message, channel, ledger, err);
  }
  // Kept for the next attempt first: if the record below fails, that attempt records it and sends nothing.
  memory?.remember(receipt);
  await ledger.sent(message.key, receipt.recordedAt, receipt.providerMessageId, outgoing.contentSource);
  return receipt;
}

/**
 * What a channel's failure means for the ledger and the run: a refusal fails for good; "not sent"
 * is retried; a call that may have reached the provider is unconfirmed, unless the channel is
 * keyed (a second call sends nothing twice). An error the channel did not classify may have come
 * after the request left: for a channel without a key that is unconfirmed too, never "not sent".
 */
async function settleFailure(message: MessageRequest, channel: MessageChannel, ledger: SendLedger, err: unknown): Promise<DeliveryReceipt> {
  const channelError = err instanceof ChannelError ? err : undefined;
  if (channelError?.outcome === 'rejected') {
    await ledger.settle(message.key, 'failed', channelError.message);
    throw refused(channelError.message, channelError.code ?? SEND_REJECTED);
  }
  const mayHaveSent = channelError ? channelError.outcome === 'unknown' : true;
  if (mayHaveSent && !channel.keyed) {
    const why = `${(err as Error).message}; it may have been sent, so it is not sent again by itself`;
    await ledger.settle(message.key, 'unknown', why);
    return unconfirmed(message.key, why, true);
  }
  await ledger.settle(message.key, 'retry', (err as Error).message);
  if (!channelError) throw err;
  throw ApplicationFailure.create({ message: channelError.message, type: channelError.code ?? 'SEND_NOT_SENT', ...(channelError.retryAfterMs !== undefined ? { nextRetryDelay: channelError.retryAfterMs } : {}) });
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
