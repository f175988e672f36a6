import { ApplicationFailure } from '@temporalio/common';
import { ChannelError } from '../port';

/**
 * How a Braze call failed. The client never retries: Temporal's activity retry is the one retry
 * loop, and these say what it should do (docs/channels.md, "Failure handling").
 */
export type BrazeFailureKind =
  /** 429: come back at x-ratelimit-reset. */
  | 'rate_limited'
  /** 5xx: Braze's fault; a later attempt may succeed. */
  | 'server_error'
  /** No answer within WAYMARK_BRAZE_TIMEOUT. */
  | 'timeout'
  /** No HTTP answer at all (refused, reset, DNS). */
  | 'network'
  /** Any other 4xx (and a redirect): the request itself is wrong; no retry changes that. */
  | 'rejected'
  /** A 2xx whose body is not the JSON Braze documents. */
  | 'invalid_answer'
  /** Never sent: the message cannot be expressed for Braze with this config (a missing sender, an unsupported channel). */
  | 'unsendable'
  /** Never sent: the worker's breaker for Braze is open after consecutive outages (src/resilience). */
  | 'circuit_open';

const FAILURE_TYPES: Record<BrazeFailureKind, string> = {
  rate_limited: 'BRAZE_RATE_LIMITED',
  server_error: 'BRAZE_SERVER_ERROR',
  timeout: 'BRAZE_TIMEOUT',
  network: 'BRAZE_NETWORK',
  rejected: 'BRAZE_REJECTED',
  invalid_answer: 'BRAZE_INVALID_ANSWER',
  unsendable: 'BRAZE_UNSENDABLE',
  circuit_open: 'BRAZE_CIRCUIT_OPEN',
};

interface FailureFacts {
  /** The endpoint called, e.g. "/messages/send". */
  endpoint: string;
  /** The HTTP status, when Braze answered. */
  status?: number;
}

/**
 * Braze answered, or the call never left this process, so what happened is known: nothing was
 * sent. `outcome` is 'rejected' for good (4xx, unsendable) or 'not-sent' for now (429, 5xx,
 * connection refused), which is what the send ledger records.
 */
export class BrazeError extends ChannelError {
  override readonly code: string;
  readonly endpoint: string;
  readonly status?: number;

  constructor(
    readonly kind: Exclude<BrazeFailureKind, 'timeout' | 'invalid_answer'>,
    message: string,
    facts: FailureFacts,
    retryAfterMs?: number,
  ) {
    super(message, kind === 'rejected' || kind === 'unsendable' ? 'rejected' : 'not-sent', retryAfterMs);
    this.name = 'BrazeError';
    this.code = FAILURE_TYPES[kind];
    this.endpoint = facts.endpoint;
    if (facts.status !== undefined) this.status = facts.status;
  }
}

/**
 * The call may have reached Braze and we cannot tell what it did: a timeout, a connection lost
 * after the request left, a gateway timeout (504), a 2xx we cannot read. Repeating a call is safe
 * for the user endpoints (the same attributes, subscription state, deletion), but Braze's sends
 * have no idempotency key: repeating a send may deliver it twice, so a send ledger must record
 * this as "outcome unknown", never as "not sent".
 */
export class BrazeUnknownOutcomeError extends ChannelError {
  override readonly code: string;
  readonly endpoint: string;
  readonly status?: number;

  constructor(
    readonly kind: 'timeout' | 'network' | 'server_error' | 'invalid_answer',
    message: string,
    facts: FailureFacts,
  ) {
    super(message, 'unknown');
    this.name = 'BrazeUnknownOutcomeError';
    this.code = FAILURE_TYPES[kind];
    this.endpoint = facts.endpoint;
    if (facts.status !== undefined) this.status = facts.status;
  }
}

/**
 * A Braze failure as the Temporal failure an activity throws: rejected and unsendable fail
 * without retry (the run records Braze's reason); a rate limit retries after x-ratelimit-reset;
 * everything else retries on the activity's retry policy. An unknown outcome is retryable here:
 * a caller that sends (the send ledger) must decide before that whether to call again.
 * Any other error is returned unchanged.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof BrazeError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.code,
      nonRetryable: err.outcome === 'rejected',
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
      details: [{ endpoint: err.endpoint, status: err.status ?? null, outcome: err.outcome }],
    });
  }
  if (err instanceof BrazeUnknownOutcomeError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.code,
      nonRetryable: false,
      details: [{ endpoint: err.endpoint, status: err.status ?? null, outcome: err.outcome }],
    });
  }
  return err;
}
