import { composeKey } from '../../workflows/contract';
import type { ContactFields, ProfileView } from '../profiles/port';
import { checkPolicy, type PolicySettings } from './policy';
import type { ChannelName, MessageRequest } from './port';

/*
 * Channel fallback (docs/contact-policy.md): a send step's channels in order, each tried only when
 * the ones before it cannot reach the customer at all. What only delays a message (quiet hours, a
 * frequency cap) is no reason to try another channel.
 */

/** The contact field a channel sends to, where Waymark keeps it (push and in-app reach devices the provider knows). */
const ADDRESS: Partial<Record<ChannelName, { field: keyof ContactFields; name: string }>> = {
  email: { field: 'email', name: 'email address' },
  sms: { field: 'phone', name: 'phone number' },
};

/**
 * The send key of a fallback channel. JSON of distinct parts is injective, and it starts with
 * "fallback" where a step's own key starts with "send" (or, before version 2, a journey id), so
 * no fallback key is ever another send's key.
 */
export const fallbackKey = (stepKey: string, channel: ChannelName): string => composeKey('fallback', stepKey, channel);

/**
 * The request for each channel of a step, in order: the step's own, then each fallback under its
 * own send key. A fallback sends its template as written: the step's `generate` brief was written
 * for the step's own channel and template.
 */
export function alternatives(message: MessageRequest): MessageRequest[] {
  const { fallback, ...first } = message;
  return [first, ...(fallback ?? []).map(({ channel, template }) => ({ ...first, channel, template, key: fallbackKey(message.key, channel), generate: undefined }))];
}

/** Why a channel cannot reach this customer at all (no consent, no address on the profile), or undefined when it can. */
export function unreachable(message: MessageRequest, profile: ProfileView, nowMs: number, policy: PolicySettings): string | undefined {
  const verdict = checkPolicy(message, profile, nowMs, policy);
  if (verdict.kind === 'skip') return verdict.reason; // the policy skips only for consent
  const address = ADDRESS[message.channel];
  return address && !profile.contact?.[address.field] ? `no ${address.name} on the profile` : undefined;
}

/** "email trial-day7 (the customer unsubscribed from email)": a channel passed over, and why. */
export const passedOver = (message: MessageRequest, why: string): string => `${message.channel} ${message.template} (${why})`;
