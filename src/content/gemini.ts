import { GoogleGenAI, Type, type GenerateContentResponse, type Schema } from '@google/genai';
import type { ChannelName } from '../channels/port';
import type { Config } from '../config';
import { secretRedactor, type Redact } from '../redact';
import { answerText, callFailure, RetryableGeminiError } from './gemini-errors';
import { GENERATED_FIELDS, generatedSchema } from './fields';
import { ContentGenerationError, type ContentGenerator, type Generation, type GenerationRequest } from './port';
import { promptText, SYSTEM_INSTRUCTION } from './prompt';
import type { CircuitBreaker } from '../resilience/circuit-breaker';

/** The answer's shape Gemini is held to (structured output): the channel's fields, all strings. */
function responseSchema(channel: ChannelName): Schema {
  const fields = GENERATED_FIELDS[channel];
  return {
    type: Type.OBJECT,
    properties: Object.fromEntries(fields.map((f) => [f.name, { type: Type.STRING, description: f.says }])),
    required: fields.filter((f) => !f.optional).map((f) => f.name),
    propertyOrdering: fields.map((f) => f.name),
  };
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Content from Gemini through the real `@google/genai` client: API-key mode (the Gemini API) or
 * Vertex AI mode (project and location, Application Default Credentials), by config. One call per
 * attempt with its own timeout; the SDK's own retries stay off, so WAYMARK_CONTENT_RETRIES is the
 * only retry policy: after a 429 or a 5xx, once the wait Google asks for (or the configured one),
 * unless that wait is longer than WAYMARK_CONTENT_RETRY_MAX_WAIT.
 */
export class GeminiContentGenerator implements ContentGenerator {
  readonly name = 'gemini';
  private readonly ai: GoogleGenAI;
  private readonly gemini: Config['content']['gemini'];

  constructor(
    private readonly settings: Config['content'],
    /** Applied to every text of Google's that a failure quotes (it is recorded with the message); by default it replaces the API key. */
    private readonly redact: Redact = secretRedactor([settings.gemini.apiKey]),
    /** The worker's breaker for Gemini (WAYMARK_CIRCUIT_*): while it is open, no call, and the send takes its template at once. */
    private readonly breaker?: CircuitBreaker,
  ) {
    this.gemini = settings.gemini;
    const { apiKey, vertexProject, vertexLocation, baseUrl } = this.gemini;
    // No retryOptions: the client then makes exactly one HTTP call per generateContent. The
    // platform's fetch as is: by default the client swaps in a dispatcher from undici's
    // process-wide global to lift its timeouts (absent in some realms, e.g. jest's sandbox);
    // here every call has its own timeout anyway.
    const httpOptions = { ...(baseUrl ? { baseUrl } : {}), fetch };
    this.ai = vertexProject
      ? new GoogleGenAI({ vertexai: true, project: vertexProject, location: vertexLocation, httpOptions })
      : new GoogleGenAI({ vertexai: false, apiKey, httpOptions });
  }

  /**
   * Through the breaker: an outage (no answer in time, a 5xx or 429 after the retries, no
   * connection) counts against Gemini; an answer on the merits (content, a refusal, a block, an
   * answer that does not parse) shows it is up. Open: the template at once, no call.
   */
  async generate(request: GenerationRequest): Promise<Generation> {
    if (!this.breaker) return this.generateWithRetries(request);
    const gate = this.breaker.gate();
    if (gate.open) throw new ContentGenerationError('CONTENT_CIRCUIT_OPEN', `Gemini failed its last calls (an outage): not called for another ${Math.ceil(gate.retryInMs / 1000)}s (WAYMARK_CIRCUIT_COOLDOWN)`);
    try {
      const generated = await this.generateWithRetries(request);
      this.breaker.success();
      return generated;
    } catch (err) {
      if (request.signal?.aborted) throw err; // a cancelled send says nothing about Gemini
      const code = err instanceof ContentGenerationError ? err.code : undefined;
      if (code === 'CONTENT_TIMEOUT' || code === 'CONTENT_UNAVAILABLE' || code === 'CONTENT_RATE_LIMITED') this.breaker.failure();
      else this.breaker.success();
      throw err;
    }
  }

  private async generateWithRetries(request: GenerationRequest): Promise<Generation> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(request);
      } catch (err) {
        if (!(err instanceof RetryableGeminiError) || attempt >= this.settings.retries) throw err;
        const wait = err.retryAfterMs ?? this.settings.retryWaitMs;
        if (wait > this.settings.retryMaxWaitMs) {
          throw new ContentGenerationError(err.code, `${err.message}; it asks to wait ${wait}ms, more than WAYMARK_CONTENT_RETRY_MAX_WAIT (${this.settings.retryMaxWaitMs}ms)`);
        }
        await pause(wait, request.signal);
      }
    }
  }

  private async once(request: GenerationRequest): Promise<Generation> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    let response: GenerateContentResponse;
    try {
      response = await this.ai.models.generateContent({
        model: this.gemini.model,
        contents: [{ role: 'user', parts: [{ text: promptText(request) }] }],
        config: {
          systemInstruction: SYSTEM_INSTRUCTION,
          responseMimeType: 'application/json',
          responseSchema: responseSchema(request.channel),
          candidateCount: 1,
          maxOutputTokens: this.gemini.maxOutputTokens,
          ...(this.gemini.thinkingBudget === '' ? {} : { thinkingConfig: { thinkingBudget: this.gemini.thinkingBudget } }),
          automaticContinuation: false,
          abortSignal: signal,
        },
      });
    } catch (err) {
      // A cancelled send is not a model failure: the cancellation goes up as it is.
      if (request.signal?.aborted) throw err;
      if (timeout.aborted) throw new ContentGenerationError('CONTENT_TIMEOUT', `Gemini did not answer within WAYMARK_CONTENT_TIMEOUT (${this.settings.timeoutMs}ms)`);
      throw callFailure(err, (text) => this.cut(text));
    }
    return { content: this.parse(request, answerText(response, (text) => this.cut(text))), model: this.gemini.model, ...(response.modelVersion ? { modelVersion: response.modelVersion } : {}) };
  }

  private parse(request: GenerationRequest, text: string): Generation['content'] {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ContentGenerationError('CONTENT_INVALID', this.cut(`the answer is not JSON: ${JSON.stringify(text)}`));
    }
    const parsed = generatedSchema(request.channel).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ContentGenerationError('CONTENT_INVALID', this.cut(`the answer is not ${request.channel} content: ${issue.path.join('.') || 'the answer'} ${issue.message}`));
    }
    return parsed.data;
  }

  /** Redacted, then cut to WAYMARK_CONTENT_MAX_REASON_CHARS (in this order: a cut could leave part of a secret). */
  private cut(text: string): string {
    const max = this.settings.maxReasonChars;
    const clean = this.redact(text);
    return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
  }
}
