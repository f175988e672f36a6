import type { ChannelName, RenderedContent } from '../channels/port';

/**
 * What a model writes for one message: the channel's content without `html`, which is derived
 * from the text (src/content/html.ts) so the two parts of an email never say different things.
 */
export type GeneratedContent =
  | { channel: 'email'; subject: string; preheader?: string; text: string }
  | Exclude<RenderedContent, { channel: 'email' }>;

/** The fields a model may write, by name ("subject", "text", ...). */
export type GeneratedField = 'subject' | 'preheader' | 'text' | 'title' | 'body';

export interface GenerationRequest {
  channel: ChannelName;
  /** The template rendered for this customer: what the model rewrites, and what is sent if it fails. */
  baseline: RenderedContent;
  /** What the journey's send step asks for (`generate.brief`). */
  brief: string;
  /**
   * This customer's data and nothing else: the traits and event properties the template declares,
   * the customer's locale, the journey's name. Never an address, never consent, never another customer.
   */
  customer: Record<string, unknown>;
  /** The longest each field may be; longer content is refused by the guardrails anyway. */
  maxChars: Partial<Record<GeneratedField, number>>;
  /** Aborted when the send is cancelled. */
  signal?: AbortSignal;
}

export interface Generation {
  content: GeneratedContent;
  /** The model asked. */
  model: string;
  /** The exact model version that answered, when the provider says. */
  modelVersion?: string;
}

/** Why a generator gave no content; the send then uses its template. */
export const CONTENT_FAILURES = {
  CONTENT_DISABLED: 'no model is configured',
  CONTENT_TIMEOUT: 'the model did not answer in time',
  CONTENT_RATE_LIMITED: 'the model provider is rate limiting',
  CONTENT_UNAVAILABLE: 'the model provider failed or could not be reached',
  CONTENT_CIRCUIT_OPEN: 'the model provider failed its last calls: not called for a cool-down',
  CONTENT_REFUSED: 'the model provider refused the request',
  CONTENT_BLOCKED: 'the model provider blocked the prompt or the answer',
  CONTENT_INVALID: 'the answer is not the content asked for',
  CONTENT_GUARDRAIL: 'the content breaks a guardrail',
  CONTENT_FAILED: 'generation failed unexpectedly',
} as const;
export type ContentFailureCode = keyof typeof CONTENT_FAILURES;

/** A generator's typed failure: a stable code and a sentence saying what happened. */
export class ContentGenerationError extends Error {
  constructor(
    readonly code: ContentFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContentGenerationError';
  }
}

/** Which source produced a message's words; recorded with the message and in the send ledger. */
export type ContentSource =
  | { kind: 'template' }
  | { kind: 'model'; model: string; modelVersion?: string }
  | { kind: 'fallback'; code: ContentFailureCode; reason: string };

/**
 * Writes a message's content for one customer, from its template's content and a brief. Resolves
 * with content for the request's channel, or rejects with ContentGenerationError (any other
 * rejection is a cancellation or a bug). Guardrails are checked by the caller, for every adapter.
 */
export interface ContentGenerator {
  /** For logs and docs ("none", "gemini"). */
  readonly name: string;
  generate(request: GenerationRequest): Promise<Generation>;
}
