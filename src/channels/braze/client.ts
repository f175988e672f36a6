import type { z } from 'zod';
import { parseJson, ProviderText } from '../../provider-text';
import type { Config } from '../../config';
import { configuredSecrets, secretRedactor, type Redact } from '../../redact';
import { BrazeError, BrazeUnknownOutcomeError } from './errors';
import { breakerFor } from '../../resilience/breakers';
import type { CircuitBreaker } from '../../resilience/circuit-breaker';
import {
  deleteAnswer,
  dispatchAnswer,
  errorAnswer,
  plainAnswer,
  trackAnswer,
  type DeleteAnswer,
  type DeleteUsersRequest,
  type DispatchAnswer,
  type PlainAnswer,
  type SendMessagesRequest,
  type SetSubscriptionStatusRequest,
  type TrackAnswer,
  type TrackUsersRequest,
  type TriggerCampaignRequest,
  type TriggerCanvasRequest,
} from './types';

export interface BrazeClientOptions {
  /** The instance's REST endpoint, without a trailing slash. */
  url: string;
  apiKey: string;
  timeoutMs: number;
  rateLimitMaxWaitMs: number;
  maxReasonChars: number;
  /** Applied to every text of Braze's (and of the connection's) that a failure quotes; by default it replaces `apiKey`. */
  redact?: Redact;
  /** The worker's breaker for Braze (WAYMARK_CIRCUIT_*): while it is open, calls fail at once, nothing sent. */
  breaker?: CircuitBreaker;
}

/** Failures before any byte reached Braze: the request certainly did not arrive. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A small typed client for the Braze REST endpoints Waymark uses. Each method is one POST with
 * the workspace's REST key, bounded by WAYMARK_BRAZE_TIMEOUT (the answer's body included), and
 * cancellable by the caller's signal (an activity's cancellation). It never retries: a failure
 * is a BrazeError (nothing sent) or a BrazeUnknownOutcomeError, and Temporal decides.
 */
export class BrazeClient {
  /**
   * Braze's error text ends up in the send ledger, the run's failure, the CLI and the logs; a
   * proxy or a Braze that echoes the request's key would put the key in all of them.
   */
  private readonly redact: Redact;
  private readonly text: ProviderText;

  constructor(
    private readonly options: BrazeClientOptions,
    /** The clock a rate limit's reset is measured against. */
    private readonly now: () => number = Date.now,
  ) {
    this.redact = options.redact ?? secretRedactor([options.apiKey]);
    this.text = new ProviderText(this.redact, options.maxReasonChars);
  }

  /** A client with config's Braze settings, redacting every configured secret from what Braze says. */
  static fromConfig(config: Config): BrazeClient {
    const { url, apiKey, timeoutMs, rateLimitMaxWaitMs, maxReasonChars } = config.braze;
    if (!url) throw new Error('WAYMARK_BRAZE_URL is empty: set it to the Braze instance\'s REST endpoint to use Braze');
    const breaker = config.circuit.failures > 0 ? breakerFor('braze', config.circuit) : undefined;
    return new BrazeClient({ url, apiKey, timeoutMs, rateLimitMaxWaitMs, maxReasonChars, redact: secretRedactor(configuredSecrets(config)), ...(breaker ? { breaker } : {}) });
  }

  /** Sends content given in the request; the answer's dispatch_id identifies the send. */
  sendMessages(request: SendMessagesRequest, signal?: AbortSignal): Promise<DispatchAnswer> {
    return this.post('/messages/send', request, dispatchAnswer, signal);
  }

  triggerCampaign(request: TriggerCampaignRequest, signal?: AbortSignal): Promise<DispatchAnswer> {
    return this.post('/campaigns/trigger/send', request, dispatchAnswer, signal);
  }

  triggerCanvas(request: TriggerCanvasRequest, signal?: AbortSignal): Promise<DispatchAnswer> {
    return this.post('/canvas/trigger/send', request, dispatchAnswer, signal);
  }

  trackUsers(request: TrackUsersRequest, signal?: AbortSignal): Promise<TrackAnswer> {
    return this.post('/users/track', request, trackAnswer, signal);
  }

  setSubscriptionStatus(request: SetSubscriptionStatusRequest, signal?: AbortSignal): Promise<PlainAnswer> {
    return this.post('/subscription/status/set', request, plainAnswer, signal);
  }

  deleteUsers(request: DeleteUsersRequest, signal?: AbortSignal): Promise<DeleteAnswer> {
    return this.post('/users/delete', request, deleteAnswer, signal);
  }

  /**
   * One call through the breaker: an outage (5xx, a timeout, no connection) counts against Braze;
   * an answer on the merits (2xx, 4xx, 429) shows it is up. While the circuit is open the call is
   * not made: a BrazeError (nothing sent) that retries when the circuit lets a trial through.
   */
  private async post<S extends z.ZodType>(endpoint: string, request: object, answer: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const { breaker } = this.options;
    if (!breaker) return this.call(endpoint, request, answer, signal);
    const gate = breaker.gate();
    if (gate.open) {
      throw new BrazeError('circuit_open', `Braze failed its last calls (an outage): no call for ${Math.ceil(gate.retryInMs / 1000)}s (WAYMARK_CIRCUIT_COOLDOWN); nothing was sent, retrying then`, { endpoint }, gate.retryInMs);
    }
    try {
      const answered = await this.call(endpoint, request, answer, signal);
      breaker.success();
      return answered;
    } catch (err) {
      const outage = err instanceof BrazeUnknownOutcomeError || (err instanceof BrazeError && (err.kind === 'server_error' || err.kind === 'network'));
      if (outage) breaker.failure();
      else if (err instanceof BrazeError || err instanceof BrazeUnknownOutcomeError) breaker.success();
      throw err;
    }
  }

  private async call<S extends z.ZodType>(endpoint: string, request: object, answer: S, signal?: AbortSignal): Promise<z.infer<S>> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.options.url + endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(request),
        // A redirect means the URL is wrong; following it would resend the key and the body elsewhere.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      text = await response.text();
    } catch (err) {
      throw this.transportFailure(endpoint, err, timeout, signal);
    }
    const facts = { endpoint, status: response.status };
    if (response.status >= 200 && response.status < 300) {
      const parsed = answer.safeParse(parseJson(text));
      if (parsed.success) return parsed.data;
      throw new BrazeUnknownOutcomeError('invalid_answer', `Braze ${endpoint} answered ${response.status} with a body that is not its documented JSON (${this.text.quote(text)}); whether it acted is unknown`, facts);
    }
    const reason = this.reason(text);
    if (response.status === 429) {
      const wait = this.untilReset(response.headers.get('x-ratelimit-reset'));
      const when = wait === undefined ? 'no x-ratelimit-reset header; retrying on the activity\'s backoff' : `retrying in ${Math.ceil(wait / 1000)}s, at x-ratelimit-reset`;
      throw new BrazeError('rate_limited', `Braze ${endpoint} is rate limited (429: ${reason}); ${when}`, facts, wait);
    }
    if (response.status === 504) {
      throw new BrazeUnknownOutcomeError('server_error', `Braze ${endpoint} answered 504 (a gateway timed out waiting for Braze: ${reason}); whether it acted is unknown`, facts);
    }
    if (response.status >= 500) throw new BrazeError('server_error', `Braze ${endpoint} failed with ${response.status}: ${reason}`, facts);
    throw new BrazeError('rejected', `Braze ${endpoint} rejected the request (${response.status}: ${reason})${hint(response.status)}`, facts);
  }

  private transportFailure(endpoint: string, err: unknown, timeout: AbortSignal, signal: AbortSignal | undefined): unknown {
    // The caller's cancellation is theirs to handle (Temporal's CancelledFailure); it is no Braze failure.
    if (signal?.aborted && !timeout.aborted) return signal.reason ?? err;
    if (timeout.aborted) {
      return new BrazeUnknownOutcomeError('timeout', `Braze ${endpoint} did not answer within ${this.options.timeoutMs}ms (WAYMARK_BRAZE_TIMEOUT); whether it acted is unknown`, { endpoint });
    }
    const code = causeCode(err);
    const what = code ?? this.redact((err as Error).message);
    if (code && NOT_CONNECTED.has(code)) {
      return new BrazeError('network', `Braze ${endpoint} could not be reached (${what}) at ${this.options.url} (WAYMARK_BRAZE_URL)`, { endpoint });
    }
    return new BrazeUnknownOutcomeError('network', `the connection to Braze ${endpoint} failed mid-call (${what}); whether it acted is unknown`, { endpoint });
  }

  /** Milliseconds until the epoch second in x-ratelimit-reset, capped by WAYMARK_BRAZE_RATE_LIMIT_MAX_WAIT; undefined when absent or past. */
  private untilReset(header: string | null): number | undefined {
    const resetSeconds = header === null ? NaN : Number(header);
    if (!Number.isFinite(resetSeconds)) return undefined;
    const wait = resetSeconds * 1000 - this.now();
    return wait > 0 ? Math.min(wait, this.options.rateLimitMaxWaitMs) : undefined;
  }

  /** Braze's own words from an error body (message, then errors), or the body itself when it is not Braze's JSON. */
  private reason(text: string): string {
    const parsed = errorAnswer.safeParse(parseJson(text));
    if (!parsed.success || (parsed.data.message === undefined && !parsed.data.errors?.length)) return this.text.quote(text);
    const errors = (parsed.data.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    return this.text.cap([parsed.data.message, ...errors].filter(Boolean).join('; '));
  }

}

/** fetch wraps socket errors: the code is on the cause. */
function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function hint(status: number): string {
  if (status === 401 || status === 403) return '; check WAYMARK_BRAZE_API_KEY and that the key has this endpoint\'s permission';
  if (status >= 300 && status < 400) return '; check WAYMARK_BRAZE_URL (Braze does not redirect its REST endpoints)';
  return '';
}
