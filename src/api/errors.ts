/**
 * Every way the event API can refuse a request, with its HTTP status. The codes are part of the
 * API contract (docs/events-api.md): clients branch on them, so they never change meaning.
 */
export const ERROR_STATUS = {
  API_KEY_MISSING: 401,
  API_KEY_INVALID: 401,
  API_KEY_FORBIDDEN: 403,
  ADDRESS_LOCKED: 429,
  RATE_LIMITED: 429,
  ROUTE_NOT_FOUND: 404,
  JOURNEY_NOT_FOUND: 404,
  CUSTOMER_NOT_FOUND: 404,
  BODY_TIMEOUT: 408,
  INVALID_JSON: 400,
  INVALID_ENCODING: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TRANSFER_ENCODING_UNSUPPORTED: 501,
  BODY_TOO_LARGE: 413,
  JSON_TOO_DEEP: 422,
  JSON_DUPLICATE_KEY: 422,
  JSON_UNSAFE_NUMBER: 422,
  JSON_FORBIDDEN_KEY: 422,
  TEXT_UNSTORABLE: 422,
  BATCH_TOO_LARGE: 413,
  BATCH_EMPTY: 422,
  BATCH_ALL_REJECTED: 422,
  FIELD_REQUIRED: 422,
  FIELD_TYPE: 422,
  FIELD_FORMAT: 422,
  FIELD_TOO_SHORT: 422,
  FIELD_TOO_LONG: 422,
  FIELD_UNKNOWN: 422,
  FIELD_INVALID: 422,
  TIMESTAMP_IN_FUTURE: 422,
  TIMESTAMP_TOO_OLD: 422,
  TOO_MANY_TRAITS: 422,
  TRAIT_KEY_TOO_LONG: 422,
  TRAIT_VALUE_TOO_LARGE: 422,
  TRAITS_TOO_LARGE: 422,
  PROPERTIES_TOO_LARGE: 422,
  EVENT_TYPE_UNKNOWN: 422,
  MESSAGE_ID_CONFLICT: 409,
  TEMPORAL_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with one field; `path` is like `context.email` or `events[2].timestamp` ('' is the whole body). */
export interface Issue {
  code: ErrorCode;
  path: string;
  message: string;
}

/** A refusal the API reports as JSON: the first issue, plus the issues found (a bounded number of them). */
export class ApiError extends Error {
  readonly status: (typeof ERROR_STATUS)[ErrorCode];
  readonly code: ErrorCode;
  readonly path: string;
  readonly issues: Issue[];

  constructor(code: ErrorCode, path: string, message: string, issues: Issue[] = [{ code, path, message }]) {
    // A refusal is an answer, not a bug: nobody reads its stack, and capturing one costs more than
    // the rest of a refusal (a batch of 500 bad items makes a thousand of them).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'ApiError';
    this.code = code;
    this.path = path;
    this.issues = issues;
    this.status = ERROR_STATUS[code];
  }

  /** Seconds to wait before trying again (the Retry-After header) when the refusal is temporary. */
  retryAfterS?: number;

  retryAfter(ms: number): this {
    this.retryAfterS = Math.max(1, Math.ceil(ms / 1000));
    return this;
  }

  /** `total` counts every problem found when only some are listed: the message says how many were left out. */
  static fromIssues(issues: [Issue, ...Issue[]], total = issues.length): ApiError {
    const [first] = issues;
    const more = total - issues.length;
    const message = more > 0 ? `${first.message} (and ${more} more problems not listed)` : first.message;
    return new ApiError(first.code, first.path, message, issues);
  }

  toJSON(): { code: ErrorCode; path: string; message: string; issues: Issue[] } {
    return { code: this.code, path: this.path, message: this.message, issues: this.issues };
  }
}

/** Renders a path like ['events', 2, 'context', 'email'] as `events[2].context.email`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
