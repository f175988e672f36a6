import type { SplitVariant } from '../../workflows/contract';
import type { ContentSource } from '../content/port';

export type ChannelName = 'email' | 'push' | 'sms' | 'in_app';

/** What the customer reads, rendered from a template (or generated), per channel. */
export type RenderedContent =
  | { channel: 'email'; subject: string; preheader?: string; html: string; text: string }
  | { channel: 'sms'; text: string }
  | { channel: 'push'; title: string; body: string }
  | { channel: 'in_app'; title?: string; body: string };

/** Where a message goes: the customer id a provider knows them by, and the address the channel needs. */
export interface Recipient {
  externalId: string;
  email?: string;
  phone?: string;
}

/**
 * A message ready for a channel: the request, its recipient and its rendered content. Without a
 * published template there is no content: the local channel records the send anyway (a journey
 * can be tried before its templates exist), a provider refuses it.
 */
export interface OutgoingMessage extends MessageRequest {
  recipient: Recipient;
  content?: RenderedContent;
  /** The template version rendered (the template's content hash). */
  templateVersion?: string;
  /** Why there is no content. */
  contentMissing?: string;
  /** Which source produced the content: the template, a model, or the template as a fallback and why (docs/content-generation.md). */
  contentSource?: ContentSource;
}

/** A message a journey step asks to send. `key` is deterministic and injective: the same step visit of the same entry always has the same key, and no other has it. */
export interface MessageRequest {
  key: string;
  customerId: string;
  journeyId: string;
  journeyVersion: string;
  stepId: string;
  channel: ChannelName;
  template: string;
  /** The customer's profile when the message was made (the delivering activity reads it). */
  attributes?: Record<string, unknown>;
  /** The messageId of the event the message answers (the entry, or the event a wait received). */
  triggeringEvent?: string;
  /** A receipt, a password reset: frequency caps and quiet hours do not hold it back (consent does). */
  transactional?: boolean;
  /** Other channels to try, in order, when `channel` is impossible for the customer (src/channels/fallback.ts). */
  fallback?: Array<{ channel: ChannelName; template: string }>;
  /** When the run asked for this send, by the run's clock: quiet hours and frequency caps are judged at this time. */
  requestedAt?: string;
  /** The journey's name and the triggering event's properties, for the template (journey.name, event.*). */
  journeyName?: string;
  eventProperties?: Record<string, unknown>;
  /** The step asks a model to write the content from its template and this brief (docs/content-generation.md). */
  generate?: { brief: string };
  /** The split path the run took before this send, if any. */
  variant?: SplitVariant;
  workflowId: string;
  runId: string;
}

export interface DeliveryReceipt {
  key: string;
  /** False when this key was delivered before: nothing was sent again. */
  firstDelivery: boolean;
  recordedAt: string;
  /** The provider's id for the send (Braze: its dispatch_id), when it gives one. */
  providerMessageId?: string;
  /** The contact policy kept it back: not sent, and why (no consent; a cap with WAYMARK_CAP_OVERFLOW=drop). */
  skipped?: string;
  /** The contact policy holds it until then (quiet hours, a frequency cap): ask again at that time. */
  deferred?: { until: string; reason: string };
  /**
   * The call may have reached the provider without its answer reaching us (a timeout, a lost
   * connection, a worker stopped mid-call): probably delivered, not confirmed, and never sent
   * again by itself; why. 'waymark sends unconfirmed' lists these for an operator to resolve.
   */
  unconfirmed?: string;
  /** With a fallback: the channel and template used (or held), and why the ones before them were not. */
  channel?: ChannelName;
  template?: string;
  insteadOf?: string;
}

/** Where messages go: the local outbox, or (in production) a messaging provider. */
export interface MessageChannel {
  /** Recorded in the send ledger with each message. */
  readonly provider: string;
  /**
   * True when a second call with the same `message.key` sends nothing again (the local channel).
   * A provider without an idempotency key is not keyed: an attempt that died between its call
   * and the ledger's record is then recorded as unknown, never sent again by itself.
   */
  readonly keyed: boolean;
  deliver(message: OutgoingMessage, signal?: AbortSignal): Promise<DeliveryReceipt>;
}

/**
 * A channel's answer that says what became of the message: `not-sent` (the provider refused it
 * for now: a rate limit, a server error it reports before sending; the next attempt may send),
 * `rejected` (it never will: a bad address, a 4xx) or `unknown` (the call may have reached the
 * provider: a timeout, a connection lost mid-call). Any other error counts as not sent, and the
 * attempt is retried.
 */
export class ChannelError extends Error {
  /** The failure type the run records (e.g. BRAZE_RATE_LIMITED); the delivering activity picks one when absent. */
  readonly code?: string;

  constructor(
    message: string,
    readonly outcome: 'not-sent' | 'rejected' | 'unknown',
    /** When the provider says to come back (a rate limit's reset). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * Tells a messaging provider that a customer's consent changed, so the provider holds the state
 * Waymark holds (Braze: /subscription/status/set). Setting a state the provider already has
 * changes nothing, so a retried call is harmless. Failures are ChannelErrors: `rejected` for good.
 */
export interface ConsentSync {
  readonly provider: string;
  /** Sets each channel's state the provider keeps one for; the others are left out. */
  sync(customerId: string, consent: Partial<Record<ChannelName, 'subscribed' | 'unsubscribed'>>, signal?: AbortSignal): Promise<void>;
}
