import { z } from 'zod';
import { CustomerEvent, EventContext } from '../events/schema';
import { ApiError, formatPath, type Issue } from './errors';

/** What an event must satisfy beyond its shape; shared by the HTTP API and `waymark events`. */
export interface EventRules {
  /** How far in the future a timestamp may be (clock skew): a future entry time would make every later event look late. */
  maxFutureSkewMs: number;
  /** Event types some published journey starts on, waits for, or ends on. */
  knownTypes: ReadonlySet<string>;
  rejectUnknownTypes: boolean;
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
export function checkEvent(input: unknown, rules: EventRules, at: Path = [], now = Date.now()): CheckedEvent {
  const parsed = CustomerEvent.safeParse(input);
  if (!parsed.success) return { ok: false, error: toApiError(parsed.error, input, at, EVENT_FIELDS) };
  const event = parsed.data;
  const aheadMs = Date.parse(event.timestamp) - now;
  if (aheadMs > rules.maxFutureSkewMs) {
    const path = formatPath([...at, 'timestamp']);
    const message = `${path} is ${Math.round(aheadMs / 1000)}s in the future; send when the event happened (clocks may differ by at most ${rules.maxFutureSkewMs / 1000}s)`;
    return { ok: false, error: new ApiError('TIMESTAMP_IN_FUTURE', path, message) };
  }
  const unknownType = !rules.knownTypes.has(event.type);
  if (unknownType && rules.rejectUnknownTypes) {
    const path = formatPath([...at, 'type']);
    const known = [...rules.knownTypes].sort().join(', ');
    const message = `${path} "${event.type}" is used by no published journey; check the spelling (known types: ${known})`;
    return { ok: false, error: new ApiError('EVENT_TYPE_UNKNOWN', path, message) };
  }
  return { ok: true, event, unknownType };
}

/** Validates the batch envelope `{ "events": [...] }` and its size; returns the raw items. */
export function checkBatch(input: unknown, maxBatchSize: number): unknown[] {
  const parsed = Batch.safeParse(input);
  if (!parsed.success) throw toApiError(parsed.error, input, [], BATCH_FIELDS);
  const { events } = parsed.data;
  if (events.length === 0) throw new ApiError('BATCH_EMPTY', 'events', 'events is empty; send between 1 and ' + maxBatchSize + ' events');
  if (events.length > maxBatchSize) {
    throw new ApiError('BATCH_TOO_LARGE', 'events', `events has ${events.length} items; send at most ${maxBatchSize} per batch`);
  }
  return events;
}

function toApiError(error: z.ZodError, input: unknown, at: Path, fields: Record<string, readonly string[]>): ApiError {
  const issues = error.issues.flatMap((issue) => toIssues(issue, input, at, fields));
  return ApiError.fromIssues(issues as [Issue, ...Issue[]]);
}

function toIssues(issue: z.core.$ZodIssue, input: unknown, at: Path, fields: Record<string, readonly string[]>): Issue[] {
  const path = formatPath([...at, ...issue.path]);
  const subject = path || 'the body';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = fields[formatPath(issue.path)] ?? [];
      return issue.keys.map((key) => {
        const keyPath = formatPath([...at, ...issue.path, key]);
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

function valueAt(input: unknown, path: Path): unknown {
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
