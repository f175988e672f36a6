/**
 * Every way the event API can refuse a request, with its HTTP status. The codes are part of the
 * API contract (docs/events-api.md): clients branch on them, so they never change meaning.
 */
export const ERROR_STATUS = {
  API_KEY_MISSING: 401,
  API_KEY_INVALID: 401,
  API_KEY_FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  INVALID_JSON: 400,
  INVALID_ENCODING: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
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
  EVENT_TYPE_UNKNOWN: 422,
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

/** A refusal the API reports as JSON: the first issue, plus all of them when there are several. */
export class ApiError extends Error {
  readonly status: (typeof ERROR_STATUS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    readonly path: string,
    message: string,
    readonly issues: Issue[] = [{ code, path, message }],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }

  static fromIssues(issues: [Issue, ...Issue[]]): ApiError {
    const [first] = issues;
    return new ApiError(first.code, first.path, first.message, issues);
  }

  toJSON(): { code: ErrorCode; path: string; message: string; issues: Issue[] } {
    return { code: this.code, path: this.path, message: this.message, issues: this.issues };
  }
}

/** Renders a path like ['events', 2, 'context', 'email'] as `events[2].context.email`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
