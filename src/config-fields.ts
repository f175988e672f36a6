import { z } from 'zod';
import { durationMs, DURATION_HINT } from './journey/duration';

/** The value types of Waymark's settings (src/config.ts): each parses a variable's text and says what is wrong with it. */
export const duration = z.string().transform((text, ctx) => {
  const ms = durationMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be ${DURATION_HINT}` });
    return z.NEVER;
  }
  return ms;
});
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const port = int(1, 65535);
/** A port, or empty for none chosen (the program picks a free one). */
export const optionalPort = z.union([z.literal('').transform(() => undefined), port]);
export const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
export const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
/** SQLite pragmas for the dev server's database, as "name=value" entries (passed as --sqlite-pragma). */
const SQLITE_PRAGMA = /^[a-z_]+=[A-Za-z0-9_-]+$/;
export const sqlitePragmas = list.superRefine((entries, ctx) =>
  entries.forEach((entry, i) => {
    if (!SQLITE_PRAGMA.test(entry)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "name=value", e.g. "journal_mode=wal"` });
  }),
);

/** Frequency caps as "channel:count/window" entries, e.g. "email:3/1d,sms:2/1d". */
const FREQUENCY_CAP = /^(email|push|sms|in_app):(\d{1,6})\/(\S+)$/;
export const frequencyCaps = list.transform((entries, ctx) =>
  entries.map((entry, i) => {
    const match = FREQUENCY_CAP.exec(entry);
    const windowMs = match ? durationMs(match[3]!) : undefined;
    if (!match || windowMs === undefined || Number(match[2]) < 1) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "channel:count/window" with a channel of email, push, sms, in_app, a count of at least 1 and a window that is ${DURATION_HINT} (e.g. "email:3/1d")` });
      return z.NEVER;
    }
    return { channel: match[1] as 'email' | 'push' | 'sms' | 'in_app', count: Number(match[2]), windowMs };
  }),
);

/** Braze subscription groups as "channel:group id" entries, e.g. "email:8a3c...,sms:51d0...": email and SMS have them in Braze. */
const SUBSCRIPTION_GROUP = /^(email|sms):(\S+)$/;
export const subscriptionGroups = list.transform((entries, ctx) => {
  const groups: Partial<Record<'email' | 'sms', string>> = {};
  entries.forEach((entry, i) => {
    const match = SUBSCRIPTION_GROUP.exec(entry);
    if (!match) return ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "channel:group id" with a channel of email or sms (e.g. "email:8a3c5e1f-...")` });
    const channel = match[1] as 'email' | 'sms';
    if (groups[channel]) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} names ${channel} again: one subscription group per channel` });
    groups[channel] = match[2]!;
  });
  return groups;
});

/** API keys as "key:scope" or "key:scope+scope"; the message never repeats a key. */
const API_KEY_ENTRY = /^([^\s:]+):([a-z]+(?:\+[a-z]+)*)$/;
export const apiKeys = list.transform((entries, ctx) =>
  entries.map((entry, i) => {
    const match = API_KEY_ENTRY.exec(entry);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "key:scope" (several scopes joined by "+", e.g. "s3cret:events")` });
      return z.NEVER;
    }
    return { key: match[1]!, scopes: match[2]!.split('+') };
  }),
);
/** Addresses only this machine reaches. */
export const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/** The key WAYMARK_API_KEYS defaults to; a production start with it fails. */
export const DEV_API_KEY = 'dev-key';
