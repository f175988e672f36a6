import { z } from 'zod';
import { EVENT_TYPE } from '../../journey/schema';
import { clip } from '../echo';
import { ApiError, formatPath, type ErrorCode, type Issue } from '../errors';
import { valueAt } from '../validation';
import { ANONYMOUS_PREFIX } from './identity-links';

/** The calls of the Segment spec, each also an endpoint (/v1/track, ...) and a `type` inside /v1/batch. */
export const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type CallType = (typeof CALL_TYPES)[number];

type Path = ReadonlyArray<PropertyKey>;

/** Same rules as Waymark's messageId and customerId: they become those. */
const idText = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-21T09:30:00Z"' });
const object = z.record(z.string(), z.unknown());
/** SDKs write an absent value as null as often as they leave it out: both mean "not given". */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

/**
 * The fields of a call Waymark uses. z.object drops every other field: SDKs add their own
 * (`integrations`, `_metadata`, `channel`, `context.library`, ...), and refusing those would
 * turn every call of a newer SDK into an error. docs/segment-rudderstack.md lists them all.
 */
const CallSchema = z.object({
  type: optional(z.enum(CALL_TYPES, { message: `must be one of ${CALL_TYPES.join(', ')}` })),
  messageId: idText,
  userId: optional(idText),
  anonymousId: optional(idText),
  previousId: optional(idText),
  event: optional(z.string().min(1, 'must not be empty')),
  name: optional(z.string().max(200, 'must be at most 200 characters')),
  category: optional(z.string().max(200, 'must be at most 200 characters')),
  groupId: optional(idText),
  timestamp: optional(isoTime),
  originalTimestamp: optional(isoTime),
  sentAt: optional(isoTime),
  properties: optional(object),
  traits: optional(object),
  context: optional(z.object({ traits: optional(object), timezone: optional(z.string()), locale: optional(z.string()) })),
});
export type Call = z.infer<typeof CallSchema> & { type: CallType };

export type ParsedCall = { ok: true; call: Call } | { ok: false; error: ApiError };

/**
 * Checks one call found at `at` (['batch', 3], or [] for a call posted alone). `pathType` is the
 * endpoint's type (/v1/track), undefined inside a batch, where each call names its own.
 */
export function parseCall(raw: unknown, at: Path, pathType: CallType | undefined, maxEchoChars: number): ParsedCall {
  const where = (...path: PropertyKey[]) => clip(formatPath([...at, ...path]), maxEchoChars);
  const refuse = (code: ErrorCode, path: string, message: string): ParsedCall => ({ ok: false, error: new ApiError(code, path, message) });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return refuse('FIELD_TYPE', where(), `${where() || 'the body'} must be a JSON object (one call)`);
  const parsed = CallSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: fromZod(parsed.error, raw, at, maxEchoChars) };
  const fields = parsed.data;
  const type = fields.type ?? pathType;
  if (!type) return refuse('FIELD_REQUIRED', where('type'), `${where('type')} is required in a batch: one of ${CALL_TYPES.join(', ')}`);
  if (pathType && type !== pathType) return refuse('FIELD_INVALID', where('type'), `${where('type')} is "${type}" but this is /v1/${pathType}; post it to /v1/${type} or /v1/batch`);
  if (type === 'alias') {
    if (!fields.previousId) return refuse('FIELD_REQUIRED', where('previousId'), `${where('previousId')} is required in an alias: the anonymous id to link`);
    if (!fields.userId) return refuse('FIELD_REQUIRED', where('userId'), `${where('userId')} is required in an alias: the user id to link to`);
  } else if (!fields.userId && !fields.anonymousId) {
    return refuse('FIELD_REQUIRED', where('userId'), `${where('userId')} or ${where('anonymousId')} is required: say who did it`);
  }
  if (fields.userId?.startsWith(ANONYMOUS_PREFIX)) {
    // Otherwise userId "anon:X" and anonymousId "X" would be one customer.
    return refuse('FIELD_INVALID', where('userId'), `${where('userId')} must not start with "${ANONYMOUS_PREFIX}": that prefix names anonymous visitors (anonymousId "X" is customer "${ANONYMOUS_PREFIX}X"); use another user id`);
  }
  if (type === 'track' && !fields.event) return refuse('FIELD_REQUIRED', where('event'), `${where('event')} is required in a track call: the event's name`);
  if (type === 'group' && !fields.groupId) return refuse('FIELD_REQUIRED', where('groupId'), `${where('groupId')} is required in a group call`);
  return { ok: true, call: { ...fields, type } };
}

/**
 * The Waymark event type of a track call's name, by one rule for every name: trimmed, lower-cased,
 * each run of spaces made one "_" ("Signed Up", "signed up" and "Signed_Up" -> "signed_up";
 * "Activated" -> "activated"; "Checkout.Started" -> "checkout.started"). Undefined when that is
 * no valid type.
 */
export function eventTypeOf(name: string): string | undefined {
  const snake = name.trim().toLowerCase().replace(/\s+/g, '_');
  return EVENT_TYPE.test(snake) ? snake : undefined;
}

function fromZod(error: z.ZodError, raw: unknown, at: Path, maxEchoChars: number): ApiError {
  const issues: Issue[] = error.issues.map((issue) => {
    const path = clip(formatPath([...at, ...issue.path]), maxEchoChars);
    if (issue.code === 'invalid_type') {
      if (valueAt(raw, issue.path) === undefined) return { code: 'FIELD_REQUIRED', path, message: `${path} is required` };
      return { code: 'FIELD_TYPE', path, message: `${path} must be ${issue.expected === 'record' || issue.expected === 'object' ? 'a JSON object' : `a ${issue.expected}`}` };
    }
    const code: ErrorCode = issue.code === 'too_small' ? 'FIELD_TOO_SHORT' : issue.code === 'too_big' ? 'FIELD_TOO_LONG' : issue.code === 'invalid_value' ? 'FIELD_INVALID' : 'FIELD_FORMAT';
    return { code, path, message: `${path} ${issue.message}` };
  });
  return ApiError.fromIssues(issues as [Issue, ...Issue[]]);
}

