import { z } from 'zod';
import { EVENT_TYPE } from '../journey/schema';

/** IANA time zone check without I/O: Intl rejects unknown zones. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const id = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) })
    .min(1, `${what} must not be empty`)
    .max(200, `${what} must be at most 200 characters`)
    .regex(/^[\x21-\x7e]+$/, `${what} must be printable ASCII without spaces`);

export const EventContext = z.strictObject({
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Paris"').optional(),
  locale: z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a locale such as "en" or "pt-BR"').optional(),
  email: z.email('must be an email address').max(320).optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in E.164 form, e.g. "+14155550123"').optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
});

/** A customer event, as product backends, pipelines and CDPs send it. */
export const CustomerEvent = z.strictObject({
  messageId: id('messageId'),
  type: z.string().regex(EVENT_TYPE, 'must be an event type: a letter, then letters, digits, "_", ".", ":" or "-" (at most 100)'),
  customerId: id('customerId'),
  timestamp: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-21T09:30:00Z"' }),
  properties: z.record(z.string(), z.unknown()).default({}),
  context: EventContext.optional(),
});
export type CustomerEvent = z.infer<typeof CustomerEvent>;
