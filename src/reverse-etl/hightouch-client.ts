import { z } from 'zod';
import { parseJson, ProviderText } from '../provider-text';
import { secretRedactor, type Redact } from '../redact';
import { ReverseEtlError } from './port';

/*
 * The parts of Hightouch's REST API (v1, https://api.hightouch.com/api/v1) that Waymark uses:
 * trigger a sync's run, and list a sync's runs. Answers are zod schemas: an answer is input we
 * must check. Run ids are numbers in some answers and strings in others; both become strings.
 */

const runId = z.union([z.string().min(1), z.number()]).transform(String);
const rowCounts = z.object({ addedCount: z.number(), changedCount: z.number(), removedCount: z.number() });

const syncRun = z.object({
  id: runId,
  /** queued, querying, processing, reporting (in progress); success, warning, failed, cancelled, interrupted (ended). */
  status: z.string(),
  completionRatio: z.number().nullish(),
  querySize: z.number().nullish(),
  successfulRows: rowCounts.nullish(),
  failedRows: rowCounts.nullish(),
  /** Why the run did not finish successfully, in Hightouch's words. */
  error: z.string().nullish(),
});
export type HightouchRun = z.infer<typeof syncRun>;

const runsAnswer = z.object({ data: z.array(syncRun), hasMore: z.boolean().optional() });
const triggerAnswer = z.object({ id: runId });
/** What Hightouch puts in a 4xx/5xx body: `message` (with `details` on a validation failure) or `error`. */
const errorAnswer = z.object({ message: z.string().optional(), error: z.string().optional(), details: z.unknown().optional() });

export interface HightouchClientOptions {
  /** The API's origin, without /api/v1 or a trailing slash. */
  url: string;
  token: string;
  timeoutMs: number;
  maxReasonChars: number;
  /** Applied to every text of Hightouch's a failure quotes; by default it replaces `token`. */
  redact?: Redact;
}

/**
 * A small typed client for Hightouch's REST API over fetch. Each call carries the bearer token,
 * is bounded by WAYMARK_HIGHTOUCH_TIMEOUT (the answer's body included) and by the caller's signal
 * (an activity's cancellation), and never retries: a failure is a ReverseEtlError saying whether
 * a later attempt may succeed, and Temporal decides.
 */
export class HightouchClient {
  private readonly redact: Redact;
  private readonly text: ProviderText;

  constructor(private readonly options: HightouchClientOptions) {
    this.redact = options.redact ?? secretRedactor([options.token]);
    this.text = new ProviderText(this.redact, options.maxReasonChars);
  }

  /**
   * The sync's newest run, or none. Hightouch lists runs ordered by `orderBy`, newest first (as
   * its own tools read the first run as the latest).
   */
  async latestRun(syncId: string, signal?: AbortSignal): Promise<HightouchRun | undefined> {
    return (await this.runs(syncId, { orderBy: 'createdAt', limit: '1' }, signal))[0];
  }

  /** One run of the sync, or none when Hightouch does not list it (yet). */
  async run(syncId: string, id: string, signal?: AbortSignal): Promise<HightouchRun | undefined> {
    return (await this.runs(syncId, { runId: id }, signal)).find((r) => r.id === id);
  }

  /** Starts a run of the sync; its id. (A run in progress would make Hightouch queue this one behind it.) */
  async trigger(syncId: string, signal?: AbortSignal): Promise<string> {
    return (await this.call('POST', `/syncs/${encodeURIComponent(syncId)}/trigger`, triggerAnswer, signal, {})).id;
  }

  private async runs(syncId: string, query: Record<string, string>, signal?: AbortSignal): Promise<HightouchRun[]> {
    const answer = await this.call('GET', `/syncs/${encodeURIComponent(syncId)}/runs?${new URLSearchParams(query)}`, runsAnswer, signal);
    return answer.data.map((r) => ({ ...r, ...(r.error ? { error: this.text.cap(r.error) } : {}) }));
  }

  private async call<S extends z.ZodType>(method: 'GET' | 'POST', endpoint: string, answer: S, signal?: AbortSignal, body?: object): Promise<z.infer<S>> {
    const what = `Hightouch ${method} /api/v1${endpoint.split('?')[0]}`;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.options.url}/api/v1${endpoint}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        // A redirect means the URL is wrong; following it would send the token elsewhere.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      text = await response.text();
    } catch (err) {
      // The caller's cancellation is theirs to handle (Temporal's CancelledFailure); it is no Hightouch failure.
      if (signal?.aborted && !timeout.aborted) throw signal.reason ?? err;
      if (timeout.aborted) throw new ReverseEtlError(`${what} did not answer within ${this.options.timeoutMs}ms (WAYMARK_HIGHTOUCH_TIMEOUT)`, 'HIGHTOUCH_TIMEOUT', true);
      throw new ReverseEtlError(`${what} failed: ${causeOf(err, this.redact)} (at ${this.options.url}, WAYMARK_HIGHTOUCH_URL)`, 'HIGHTOUCH_NETWORK', true);
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      const parsed = answer.safeParse(parseJson(text));
      if (parsed.success) return parsed.data;
      throw new ReverseEtlError(`${what} answered ${status} with a body that is not its documented JSON (${this.text.quote(text)})`, 'HIGHTOUCH_INVALID_ANSWER', true);
    }
    const reason = this.reason(text);
    if (status === 429) {
      const wait = retryAfterMs(response.headers.get('retry-after'));
      throw new ReverseEtlError(`${what} is rate limited (429: ${reason})`, 'HIGHTOUCH_RATE_LIMITED', true, wait);
    }
    if (status >= 500) throw new ReverseEtlError(`${what} failed with ${status}: ${reason}`, 'HIGHTOUCH_SERVER_ERROR', true);
    throw new ReverseEtlError(`${what} refused the request (${status}: ${reason})${hint(status)}`, 'HIGHTOUCH_REJECTED', false);
  }

  /** Hightouch's own words from an error body, or the body itself when it is not Hightouch's JSON. */
  private reason(text: string): string {
    const json = parseJson(text);
    // Hightouch's 500 is a JSON string ("Internal Server Error").
    if (typeof json === 'string') return this.text.cap(json);
    const parsed = errorAnswer.safeParse(json);
    const said = parsed.success ? (parsed.data.message ?? parsed.data.error) : undefined;
    if (!parsed.success || said === undefined) return this.text.quote(text);
    return this.text.cap(parsed.data.details === undefined ? said : `${said}: ${JSON.stringify(parsed.data.details)}`);
  }

}

/** fetch wraps socket errors: the code is on the cause. */
function causeOf(err: unknown, redact: Redact): string {
  const code = (err as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? code : redact((err as Error).message);
}

/** Retry-After in seconds, as milliseconds; undefined when absent or not a number of seconds. */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function hint(status: number): string {
  if (status === 401 || status === 403) return '; check WAYMARK_HIGHTOUCH_TOKEN (an API key of the workspace the syncs are in)';
  if (status === 404) return '; check WAYMARK_HIGHTOUCH_SYNC_IDS (the number in a sync\'s URL in Hightouch)';
  if (status >= 300 && status < 400) return '; check WAYMARK_HIGHTOUCH_URL (Hightouch does not redirect its API)';
  return '';
}
