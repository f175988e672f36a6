import { z } from 'zod';
import { variableOf, type Config } from '../config';
import { CustomerEvent, EventContext } from '../events/schema';
import { clip } from './echo';
import { ApiError, formatPath, type Issue } from './errors';
import { checkLimits } from './limits';
import { findUnstorable, UNSTORABLE_WHAT, type Unstorable } from '../store/unstorable';
import { ANONYMOUS_PREFIX } from './segment/identity-links';

/** What an event must satisfy beyond its shape; shared by the HTTP API and `waymark events`. */
export interface EventRules {
  /** How far in the future a timestamp may be (clock skew): a future entry time would make every later event look late. */
  maxFutureSkewMs: number;
  /** The earliest timestamp taken as real (year 0000 or 1900 is a sender's bug). */
  minTimestampMs: number;
  /** Event types some published journey starts on, waits for, or ends on. */
  knownTypes: ReadonlySet<string>;
  rejectUnknownTypes: boolean;
  limits: Config['limits'];
  /** Issues listed per refusal, and characters of input quoted in a message. */
  maxIssues: number;
  maxEchoChars: number;
  /**
   * Whether the event may name an anonymous visitor's customer id (anon:<anonymousId>): only the
   * Segment-compatible API makes those. Elsewhere the prefix is refused, so that no customer id
   * names two people (a userId "anon:X" and the anonymous visitor "X").
   */
  anonymousCustomers: boolean;
}

export function eventRules(config: Config, knownTypes: ReadonlySet<string>): EventRules {
  const { maxFutureSkewMs, minTimestampMs, rejectUnknownTypes, maxIssues, maxEchoChars } = config.api;
  return { maxFutureSkewMs, minTimestampMs, knownTypes, rejectUnknownTypes, limits: config.limits, maxIssues, maxEchoChars, anonymousCustomers: false };
}

export type CheckedEvent = { ok: true; event: CustomerEvent; unknownType: boolean } | { ok: false; error: ApiError };

type Path = ReadonlyArray<PropertyKey>;

/** Allowed fields by object path, so an unknown field's message can list the right ones. */
const EVENT_FIELDS: Record<string, readonly string[]> = {
  '': Object.keys(CustomerEvent.shape),
  context: Object.keys(EventContext.shape),
};
const Batch = z.strictObject({ events: z.array(z.unknown()) });
const BATCH_FIELDS: Record<string, readonly string[]> = { '': Object.keys(Batch.shape) };

/** Validates one event found at `at` in the body ([] for the single-event endpoint). */
export function checkEvent(raw: unknown, rules: EventRules, at: Path = [], now = Date.now()): CheckedEvent {
  const top = trimUnknown(raw, EVENT_FIELDS[''], rules.maxIssues);
  const context = trimUnknown((top.input as { context?: unknown } | null)?.context, EVENT_FIELDS.context, rules.maxIssues);
  const input = context.dropped ? { ...(top.input as object), context: context.input } : top.input;
  const parsed = CustomerEvent.safeParse(input);
  if (!parsed.success) return { ok: false, error: toApiError(parsed.error, input, at, EVENT_FIELDS, rules, top.dropped + context.dropped) };
  const event = parsed.data;
  if (!rules.anonymousCustomers && event.customerId.startsWith(ANONYMOUS_PREFIX)) {
    const path = formatPath([...at, 'customerId']);
    return { ok: false, error: new ApiError('FIELD_INVALID', path, `${path} must not start with "${ANONYMOUS_PREFIX}": that prefix names the anonymous visitors of the Segment-compatible API; use another id`) };
  }
  const unstorable = findUnstorable(event);
  if (unstorable) return { ok: false, error: unstorableError(unstorable, at, rules.maxEchoChars) };
  const timestampError = checkTimestamp(Date.parse(event.timestamp), formatPath([...at, 'timestamp']), rules, now);
  if (timestampError) return { ok: false, error: timestampError };
  const unknownType = !rules.knownTypes.has(event.type);
  if (unknownType && rules.rejectUnknownTypes) {
    const path = formatPath([...at, 'type']);
    const known = [...rules.knownTypes].sort();
    const listed = known.slice(0, rules.maxIssues).join(', ') + (known.length > rules.maxIssues ? `, … ${known.length - rules.maxIssues} more` : '');
    const message = `${path} "${event.type}" is used by no published journey; check the spelling (known types: ${listed})`;
    return { ok: false, error: new ApiError('EVENT_TYPE_UNKNOWN', path, message) };
  }
  const overLimit = checkLimits(event, rules.limits, at, rules.maxEchoChars);
  if (overLimit) return { ok: false, error: overLimit };
  return { ok: true, event, unknownType };
}

/**
 * A value the profile store (PostgreSQL) would refuse, or JSON would change: refused here, where
 * the sender learns which field to fix, and not in a worker, where the profile update would fail.
 */
function unstorableError(found: Unstorable, at: Path, maxEchoChars: number): ApiError {
  const path = clip(formatPath([...at, ...found.path]), maxEchoChars);
  if (found.kind === 'non-finite-number') {
    // Only a plain JSON reader (the CLI's) yields one: the API's strict reader refuses 1e400 as written.
    return new ApiError('JSON_UNSAFE_NUMBER', path, `${path} is not a finite number (numbers must lie within ±1.7e308); send it as a string`);
  }
  const what = UNSTORABLE_WHAT[found.kind];
  if (found.inKey) return new ApiError('TEXT_UNSTORABLE', path, `${path}: the key holds ${what}; rename it`);
  return new ApiError('TEXT_UNSTORABLE', path, `${path} holds ${what}; remove it${found.kind === 'lone-surrogate' ? ', or send the whole character (both halves of the pair)' : ''}`);
}

function checkTimestamp(atMs: number, path: string, rules: EventRules, now: number): ApiError | undefined {
  const aheadMs = atMs - now;
  if (aheadMs > rules.maxFutureSkewMs) {
    const message = `${path} is ${Math.round(aheadMs / 1000)}s in the future; send when the event happened (clocks may differ by at most ${rules.maxFutureSkewMs / 1000}s)`;
    return new ApiError('TIMESTAMP_IN_FUTURE', path, message);
  }
  if (atMs < rules.minTimestampMs) {
    const earliest = new Date(rules.minTimestampMs).toISOString();
    const message = `${path} is before ${earliest} (${variableOf('api.minTimestampMs')}); send when the event happened, in UTC or with its zone`;
    return new ApiError('TIMESTAMP_TOO_OLD', path, message);
  }
  return undefined;
}

/** Validates the batch envelope `{ "events": [...] }` and its size; returns the raw items. */
export function checkBatch(raw: unknown, maxBatchSize: number, rules: Pick<EventRules, 'maxIssues' | 'maxEchoChars'>): unknown[] {
  const { input, dropped } = trimUnknown(raw, BATCH_FIELDS[''], rules.maxIssues);
  const parsed = Batch.safeParse(input);
  if (!parsed.success) throw toApiError(parsed.error, input, [], BATCH_FIELDS, rules, dropped);
  const { events } = parsed.data;
  if (events.length === 0) throw new ApiError('BATCH_EMPTY', 'events', 'events is empty; send between 1 and ' + maxBatchSize + ' events');
  if (events.length > maxBatchSize) {
    throw new ApiError('BATCH_TOO_LARGE', 'events', `events has ${events.length} items; send at most ${maxBatchSize} per batch`);
  }
  return events;
}

/**
 * At most rules.maxIssues issues, each path clipped: a body of 50,000 unknown fields gets a
 * short answer that says how many problems it has, not a list as long as the body.
 */
function toApiError(error: z.ZodError, input: unknown, at: Path, fields: Record<string, readonly string[]>, rules: Pick<EventRules, 'maxIssues' | 'maxEchoChars'>, dropped = 0): ApiError {
  const count = (issue: z.core.$ZodIssue) => (issue.code === 'unrecognized_keys' ? issue.keys.length : 1);
  const total = error.issues.reduce((sum, issue) => sum + count(issue), dropped);
  const issues: Issue[] = [];
  for (const issue of error.issues) {
    if (issues.length >= rules.maxIssues) break;
    issues.push(...toIssues(issue, input, at, fields, rules.maxEchoChars, rules.maxIssues - issues.length));
  }
  return ApiError.fromIssues(issues as [Issue, ...Issue[]], total);
}

/**
 * Zod names every unknown key of an object in one message: 40,000 of them cost it tens of
 * milliseconds and megabytes. It is handed at most `keep` unknown keys per object (more would not
 * be listed anyway); the others are only counted.
 */
function trimUnknown(input: unknown, fields: readonly string[] = [], keep: number): { input: unknown; dropped: number } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { input, dropped: 0 };
  const keys = Object.keys(input);
  if (keys.length <= fields.length + keep) return { input, dropped: 0 };
  let unknown = 0;
  // fromEntries defines own properties, so a "__proto__" key (from the CLI's plain JSON.parse) stays a key.
  const kept = Object.fromEntries(keys.filter((key) => fields.includes(key) || unknown++ < keep).map((key) => [key, (input as Record<string, unknown>)[key]]));
  return { input: kept, dropped: keys.length - Object.keys(kept).length };
}

function toIssues(issue: z.core.$ZodIssue, input: unknown, at: Path, fields: Record<string, readonly string[]>, maxEchoChars: number, room: number): Issue[] {
  const path = clip(formatPath([...at, ...issue.path]), maxEchoChars);
  const subject = path || 'the body';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = fields[formatPath(issue.path)] ?? [];
      return issue.keys.slice(0, room).map((key) => {
        const keyPath = clip(formatPath([...at, ...issue.path, key]), maxEchoChars);
        return { code: 'FIELD_UNKNOWN', path: keyPath, message: `${keyPath} is not a known field; remove it (allowed: ${allowed.join(', ')})` };
      });
    }
    case 'invalid_type': {
      const value = valueAt(input, issue.path);
      if (value === undefined) return [{ code: 'FIELD_REQUIRED', path, message: `${subject} is required` }];
      return [{ code: 'FIELD_TYPE', path, message: `${subject} must be ${describeType(issue.expected)}, not ${kindOf(value)}` }];
    }
    case 'too_small':
      return [{ code: 'FIELD_TOO_SHORT', path, message: phrase(subject, issue) }];
    case 'too_big':
      return [{ code: 'FIELD_TOO_LONG', path, message: phrase(subject, issue) }];
    case 'invalid_format':
    case 'custom':
      return [{ code: 'FIELD_FORMAT', path, message: phrase(subject, issue) }];
    default:
      return [{ code: 'FIELD_INVALID', path, message: phrase(subject, issue) }];
  }
}

/** Puts the full path in front of the schema's message, which may start with the bare field name. */
function phrase(subject: string, issue: z.core.$ZodIssue): string {
  const field = String(issue.path[issue.path.length - 1] ?? '');
  if (field && issue.message.startsWith(`${field} `)) return `${subject}${issue.message.slice(field.length)}`;
  return issue.message.startsWith('must ') ? `${subject} ${issue.message}` : `${subject}: ${issue.message}`;
}

/** The value at `path` in a parsed JSON body (undefined where the path leads nowhere). */
export function valueAt(input: unknown, path: Path): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeType(expected: string): string {
  if (expected === 'record' || expected === 'object') return 'a JSON object';
  if (expected === 'array') return 'an array';
  return `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
