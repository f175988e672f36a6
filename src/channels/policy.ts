import type { Config } from '../config';
import { nextLocalTime } from '../journey/local-time';
import type { ProfileView } from '../profiles/port';
import type { MessageRequest } from './port';

export type PolicySettings = Config['policy'] & { defaultTimezone: string };

/** What the contact policy says of a message before any channel is asked: send, skip (with why), or defer (until when, and why). */
export type PolicyVerdict = { kind: 'send' } | { kind: 'skip'; reason: string } | { kind: 'defer'; untilMs: number; reason: string };

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function localMinutes(nowMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(nowMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** The customer's time zone: the contact field, a trait, else the default (an invalid zone counts as none). */
export function customerTimezone(profile: ProfileView, fallback: string): string {
  for (const tz of [profile.contact?.timezone, profile.timezone]) {
    if (typeof tz !== 'string' || !tz) continue;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return tz;
    } catch {
      // not an IANA zone: try the next source
    }
  }
  return fallback;
}

/** When quiet hours "HH:MM-HH:MM" hold at `nowMs` in `timeZone`, the instant they end; undefined otherwise. */
export function quietUntil(nowMs: number, quietHours: string, timeZone: string): number | undefined {
  if (!quietHours) return undefined;
  const [from, to] = quietHours.split('-') as [string, string];
  const [start, end, now] = [minutesOf(from), minutesOf(to), localMinutes(nowMs, timeZone)];
  const quiet = start <= end ? now >= start && now < end : now >= start || now < end; // "21:00-08:00" spans midnight
  return quiet ? nextLocalTime(nowMs, to, undefined, timeZone) : undefined;
}

/**
 * Consent and quiet hours, for one message (frequency caps are counted in the send ledger, under
 * the customer's lock). Consent binds every message; quiet hours spare transactional ones.
 */
export function checkPolicy(message: MessageRequest, profile: ProfileView, nowMs: number, settings: PolicySettings): PolicyVerdict {
  if (profile.consent?.[message.channel] === 'unsubscribed') return { kind: 'skip', reason: `the customer unsubscribed from ${message.channel}` };
  if (message.transactional) return { kind: 'send' };
  const timeZone = customerTimezone(profile, settings.defaultTimezone);
  const until = quietUntil(nowMs, settings.quietHours, timeZone);
  return until === undefined ? { kind: 'send' } : { kind: 'defer', untilMs: until, reason: `quiet hours ${settings.quietHours} in ${timeZone}` };
}

/** The frequency cap for a message's channel, unless the message is transactional. */
export function capFor(message: MessageRequest, settings: PolicySettings): { count: number; windowMs: number } | undefined {
  if (message.transactional) return undefined;
  const cap = settings.caps.find((c) => c.channel === message.channel);
  return cap && { count: cap.count, windowMs: cap.windowMs };
}
