import { ApiError, FinishReason, type GenerateContentResponse } from '@google/genai';
import { ContentGenerationError } from './port';

/** A failed call worth another try (a 429, a 5xx, a connection lost), and when the provider asks for it. */
export class RetryableGeminiError extends ContentGenerationError {
  constructor(
    code: 'CONTENT_RATE_LIMITED' | 'CONTENT_UNAVAILABLE',
    message: string,
    /** From the answer's RetryInfo ("retryDelay": "2s"), when it has one. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
  }
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<{ '@type'?: string; retryDelay?: string }> };
}

/** The SDK puts the error body, as JSON text, in the ApiError's message. */
function errorBody(err: ApiError): GoogleErrorBody['error'] {
  try {
    return (JSON.parse(err.message) as GoogleErrorBody).error;
  } catch {
    return { message: err.message };
  }
}

/** A google.rpc.Duration as JSON gives it ("1.5s"), in ms. */
function durationMs(text: string | undefined): number | undefined {
  const match = text ? /^(\d+(?:\.\d+)?)s$/.exec(text) : null;
  return match ? Math.ceil(Number(match[1]) * 1_000) : undefined;
}

/**
 * What a failed call means, as a typed error: 429 and 5xx are retryable (with Google's retryDelay),
 * any other 4xx is a refusal no retry changes, a network failure is retryable. `cut` redacts the
 * provider's own text and limits it to what a record keeps.
 */
export function callFailure(err: unknown, cut: (text: string) => string): ContentGenerationError {
  if (err instanceof ApiError) {
    const body = errorBody(err);
    const said = cut(`Gemini answered ${err.status}${body?.status ? ` ${body.status}` : ''}: ${body?.message ?? 'no reason given'}`);
    if (err.status === 429) {
      const retryInfo = body?.details?.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'));
      return new RetryableGeminiError('CONTENT_RATE_LIMITED', said, durationMs(retryInfo?.retryDelay));
    }
    if (err.status >= 500) return new RetryableGeminiError('CONTENT_UNAVAILABLE', said);
    return new ContentGenerationError('CONTENT_REFUSED', said);
  }
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return new RetryableGeminiError('CONTENT_UNAVAILABLE', cut(`Gemini could not be reached: ${cause?.code ?? cause?.message ?? (err as Error).message}`));
}

const BLOCKING = new Set<string>([
  FinishReason.SAFETY,
  FinishReason.RECITATION,
  FinishReason.BLOCKLIST,
  FinishReason.PROHIBITED_CONTENT,
  FinishReason.SPII,
  FinishReason.IMAGE_SAFETY,
  FinishReason.IMAGE_PROHIBITED_CONTENT,
]);

/** The answer's text, or a typed error when the prompt or the answer was blocked, or it was cut short; `cut` as for callFailure. */
export function answerText(response: GenerateContentResponse, cut: (text: string) => string): string {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked) {
    throw new ContentGenerationError('CONTENT_BLOCKED', cut(`Gemini blocked the prompt (${blocked}${response.promptFeedback?.blockReasonMessage ? `: ${response.promptFeedback.blockReasonMessage}` : ''})`));
  }
  const candidate = response.candidates?.[0];
  if (!candidate) throw new ContentGenerationError('CONTENT_INVALID', 'Gemini answered without a candidate');
  const finish = candidate.finishReason;
  if (finish && BLOCKING.has(finish)) throw new ContentGenerationError('CONTENT_BLOCKED', `Gemini blocked the answer (finishReason ${finish})`);
  if (finish === FinishReason.MAX_TOKENS) throw new ContentGenerationError('CONTENT_INVALID', 'the answer was cut off at WAYMARK_GEMINI_MAX_OUTPUT_TOKENS');
  if (finish && finish !== FinishReason.STOP) throw new ContentGenerationError('CONTENT_INVALID', `Gemini stopped with finishReason ${finish}`);
  const text = (candidate.content?.parts ?? []).filter((p) => !p.thought && typeof p.text === 'string').map((p) => p.text).join('');
  if (!text) throw new ContentGenerationError('CONTENT_INVALID', 'Gemini answered with no text');
  return text;
}
