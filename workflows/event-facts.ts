import type { CustomerEvent } from '../src/events/schema';
import { canonicalJson } from '../src/journey/canonical-json';
import { fnv1a, mix32 } from '../src/journey/split';
import { CHANNELS, type Channel } from '../src/journey/channels';

/**
 * What the router derives from an event by itself. Pure: runs inside workflow code.
 */

/**
 * A fingerprint of everything in the event but its messageId: a repeat of a messageId with the
 * same fingerprint is a retry, with another one a conflict. 64 bits from two mixed FNV-1a
 * passes: a retry is never taken for a conflict, and a conflict passes for a retry once in 2^64.
 */
export function eventDigest(event: CustomerEvent): string {
  const text = canonicalJson({ ...event, messageId: undefined });
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return hex(mix32(fnv1a(text))) + hex(mix32(fnv1a(`\u0001${text}`)));
}

export interface ProfileChanges {
  traits?: Record<string, unknown>;
  contact?: { email?: string; phone?: string; timezone?: string; locale?: string };
  consent?: Partial<Record<Channel, 'subscribed' | 'unsubscribed'>>;
}

/** Event types that change consent; `properties.channel` names one channel, none means every channel. */
const CONSENT_EVENTS: Record<string, 'subscribed' | 'unsubscribed'> = { unsubscribed: 'unsubscribed', subscribed: 'subscribed' };

export const isConsentEvent = (event: CustomerEvent) => event.type in CONSENT_EVENTS;

function consentChanges(event: CustomerEvent): ProfileChanges['consent'] {
  const state = CONSENT_EVENTS[event.type];
  if (!state) return undefined;
  const channel = event.properties.channel;
  if (channel === undefined) return Object.fromEntries(CHANNELS.map((c) => [c, state]));
  return (CHANNELS as readonly unknown[]).includes(channel) ? { [channel as Channel]: state } : undefined;
}

/**
 * The traits, contact fields (validated by the API) and, when `withConsent`, the consent an event
 * carries, or nothing to write. Routers started before consent events existed pass false.
 */
export function profileChanges(event: CustomerEvent, withConsent = true): ProfileChanges | undefined {
  const { traits, email, phone, timezone, locale } = event.context ?? {};
  const contact = Object.fromEntries(Object.entries({ email, phone, timezone, locale }).filter(([, v]) => v !== undefined));
  const changes: ProfileChanges = {};
  if (traits && Object.keys(traits).length) changes.traits = traits;
  if (Object.keys(contact).length) changes.contact = contact;
  const consent = withConsent ? consentChanges(event) : undefined;
  if (consent) changes.consent = consent;
  return changes.traits || changes.contact || changes.consent ? changes : undefined;
}
