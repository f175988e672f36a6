import { EventContext, type CustomerEvent } from '../../events/schema';
import { clip } from '../echo';
import { ApiError, formatPath } from '../errors';
import { eventTypeOf, type Call } from './call';

type Path = ReadonlyArray<PropertyKey>;
type Contact = Pick<NonNullable<CustomerEvent['context']>, 'email' | 'phone' | 'timezone' | 'locale'>;
const CONTACT_FIELDS = ['email', 'phone', 'timezone', 'locale'] as const;

/** An event as its sender stated it: the time is theirs, or absent. */
export type Stated = Omit<CustomerEvent, 'timestamp'> & { timestamp?: string };

/** A call as the Waymark event it becomes, or why it cannot become one. */
export type Mapped =
  | {
      ok: true;
      event: CustomerEvent;
      /**
       * The event with the time the sender stated, before skew correction, and none when it stated
       * none (the arrival time would differ on a resend): what a retry of the same call repeats exactly.
       */
      stated: Stated;
      /** Where the event's traits came from, for messages about their limits. */
      traitsPath: string;
    }
  | { ok: false; error: ApiError };

/**
 * When the call happened, in ms. The sender's `timestamp`, else `originalTimestamp`, else the
 * moment it arrived, corrected for the sender's clock by Segment's rule: time + (receivedAt -
 * sentAt). A `sentAt` ahead of the arrival is a fast clock: always corrected. A `sentAt` behind it
 * is a slow clock or time the body spent in queues and retries (SDKs resend a body with its
 * `sentAt`), which cannot be told apart: corrected only up to `maxSlowClockMs`
 * (WAYMARK_SEGMENT_MAX_SLOW_CLOCK); a longer gap is taken as queueing and changes nothing.
 */
export function eventTime(call: { timestamp?: string; originalTimestamp?: string; sentAt?: string }, receivedAt: number, maxSlowClockMs: number): number {
  const stated = call.timestamp ?? call.originalTimestamp;
  if (stated === undefined) return receivedAt;
  const at = Date.parse(stated);
  if (call.sentAt === undefined) return at;
  const behind = receivedAt - Date.parse(call.sentAt);
  return behind < 0 || behind <= maxSlowClockMs ? at + behind : at;
}

/** The Waymark event of an identify, track, page, screen or group call, for `customerId`. */
export function toCustomerEvent(call: Call, customerId: string, receivedAt: number, at: Path, { maxEchoChars, maxSlowClockMs }: { maxEchoChars: number; maxSlowClockMs: number }): Mapped {
  const where = (...path: PropertyKey[]) => clip(formatPath([...at, ...path]), maxEchoChars);
  const type = typeOf(call);
  if (!type) {
    const path = where('event');
    return { ok: false, error: new ApiError('FIELD_FORMAT', path, `${path} cannot be an event type: use letters, digits, spaces, "_", ".", ":" or "-", starting with a letter (at most 100)`) };
  }
  // identify's traits describe the user; context.traits (any call) too. identify's own win.
  const ownTraits = call.type === 'identify' ? call.traits : undefined;
  const traits = { ...call.context?.traits, ...ownTraits };
  const traitsPath = ownTraits ? where('traits') : where('context', 'traits');
  const contact: Contact = {};
  for (const field of CONTACT_FIELDS) {
    const fromTraits = traits[field];
    delete traits[field];
    // A form's empty or null phone says "not given", not "remove the phone".
    const value = fromTraits === null || fromTraits === '' ? undefined : (fromTraits ?? call.context?.[field as 'timezone' | 'locale']);
    if (value === undefined) continue;
    const path = fromTraits !== undefined ? `${traitsPath}.${field}` : where('context', field);
    const checked = EventContext.shape[field].safeParse(value);
    if (!checked.success) return { ok: false, error: new ApiError(typeof value === 'string' ? 'FIELD_FORMAT' : 'FIELD_TYPE', path, `${path} ${checked.error.issues[0]!.message}`) };
    contact[field] = checked.data;
  }
  const context: CustomerEvent['context'] = { ...contact, ...(Object.keys(traits).length ? { traits } : {}) };
  const stated = call.timestamp ?? call.originalTimestamp;
  const base = { messageId: call.messageId, type, customerId, properties: propertiesOf(call), ...(Object.keys(context).length ? { context } : {}) };
  return {
    ok: true,
    event: { ...base, timestamp: new Date(eventTime(call, receivedAt, maxSlowClockMs)).toISOString() },
    stated: { ...base, ...(stated === undefined ? {} : { timestamp: stated }) },
    traitsPath,
  };
}

/** track: its event's name; the other calls are events named after the call. */
function typeOf(call: Call): string | undefined {
  return call.type === 'track' ? eventTypeOf(call.event ?? '') : call.type;
}

function propertiesOf(call: Call): Record<string, unknown> {
  switch (call.type) {
    case 'page':
    case 'screen': {
      const named = { ...(call.name !== undefined ? { name: call.name } : {}), ...(call.category !== undefined ? { category: call.category } : {}) };
      return { ...named, ...call.properties };
    }
    case 'group':
      // The group's traits describe the group (a company, an account), not the user: they stay on the event.
      return { groupId: call.groupId, traits: call.traits ?? {} };
    case 'identify':
      return {};
    default:
      return call.properties ?? {};
  }
}
