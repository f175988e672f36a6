import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseJson, ScriptedServer, sendJson as send, type ArrivedRequest } from './scripted-server';

/** How the server answers one generateContent call; calls with nothing scripted succeed. */
export type GeminiAnswer =
  /** 200 with a candidate whose text is `fields` as JSON (default: each field the schema requires, as "Generated <field>"). */
  | { kind: 'success'; fields?: Record<string, unknown>; modelVersion?: string }
  /** 429 RESOURCE_EXHAUSTED, with a google.rpc.RetryInfo when `retryDelay` is given ("2s"). */
  | { kind: 'rate_limited'; retryDelay?: string }
  | { kind: 'server_error'; status?: number }
  /** A 4xx with Google's error body (400 INVALID_ARGUMENT by default). */
  | { kind: 'rejected'; status?: number; message: string }
  /** `then` (success by default) after `delayMs`: longer than the client's timeout, it never arrives. */
  | { kind: 'slow'; delayMs: number; then?: GeminiAnswer }
  /** 200 without candidates: the prompt was blocked (promptFeedback.blockReason). */
  | { kind: 'prompt_blocked'; blockReason?: string }
  /** 200 with a candidate stopped for safety (finishReason SAFETY) and no text. */
  | { kind: 'answer_blocked'; finishReason?: string }
  /** 200 with a candidate whose text is not JSON (a model ignoring the response schema). */
  | { kind: 'invalid_json'; text?: string };

export interface GeminiRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body as received (text), to search for what must not be there. */
  raw: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: GenerateContentBody | undefined;
  /** When its body had arrived (epoch ms). */
  at: number;
}

/** The parts of a generateContent request body the tests read. */
export interface GenerateContentBody {
  contents?: Array<{ role?: string; parts?: Array<{ text?: string }> }>;
  systemInstruction?: { parts?: Array<{ text?: string }> };
  generationConfig?: { responseMimeType?: string; responseSchema?: { properties?: Record<string, unknown>; required?: string[] }; maxOutputTokens?: number };
}

/** The Gemini API path (API-key mode) and the Vertex AI one, both ending in the model and method. */
const GENERATE = /^\/(?:v1beta|v1)\/models\/([^/:]+):generateContent$|^\/(?:v1beta1|v1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):generateContent$/;

/**
 * A Gemini-compatible generateContent server on loopback: the real `@google/genai` client points
 * at it with httpOptions.baseUrl. API key checked (x-goog-api-key), Google's answer and error
 * shapes, and a script of answers per call. Every request is recorded as received, so tests
 * assert on the real bodies the client sent.
 */
export class GeminiServer extends ScriptedServer<GeminiAnswer> {
  readonly received: GeminiRequest[] = [];

  private constructor(readonly apiKey: string) {
    super();
  }

  static start(apiKey = 'gemini-test-key'): Promise<GeminiServer> {
    return new GeminiServer(apiKey).listen();
  }

  /** The prompt text of a request (its user parts). */
  static prompt(request: GeminiRequest): string {
    return (request.body?.contents ?? []).flatMap((c) => c.parts ?? []).map((p) => p.text ?? '').join('\n');
  }

  protected respond({ method, path, headers, raw, at }: ArrivedRequest, next: GeminiAnswer | undefined, res: http.ServerResponse): void {
    const record: GeminiRequest = { method, path, headers, raw, body: parseJson(raw) as GenerateContentBody | undefined, at };
    this.received.push(record);
    const match = GENERATE.exec(path);
    if (method !== 'POST' || !match) return sendError(res, 404, 'NOT_FOUND', `no such method: ${method} ${path}`);
    if (headers['x-goog-api-key'] !== this.apiKey) return sendError(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    if (!record.body) return sendError(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    this.answer(next ?? { kind: 'success' }, record, (match[1] ?? match[2])!, res);
  }

  private answer(answer: GeminiAnswer, record: GeminiRequest, model: string, res: http.ServerResponse): void {
    const modelVersion = `${model}-001`;
    switch (answer.kind) {
      case 'success':
        return send(res, 200, candidate(JSON.stringify(answer.fields ?? defaultFields(record)), 'STOP', answer.modelVersion ?? modelVersion));
      case 'rate_limited': {
        const details = answer.retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: answer.retryDelay }] : [];
        return sendError(res, 429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', details);
      }
      case 'server_error':
        return sendError(res, answer.status ?? 500, answer.status === 503 ? 'UNAVAILABLE' : 'INTERNAL', 'An internal error has occurred.');
      case 'rejected':
        return sendError(res, answer.status ?? 400, answer.status === 403 ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT', answer.message);
      case 'prompt_blocked':
        return send(res, 200, { promptFeedback: { blockReason: answer.blockReason ?? 'SAFETY' }, modelVersion, responseId: randomUUID() });
      case 'answer_blocked':
        return send(res, 200, {
          candidates: [{ finishReason: answer.finishReason ?? 'SAFETY', index: 0, safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'HIGH', blocked: true }] }],
          modelVersion,
          responseId: randomUUID(),
        });
      case 'invalid_json':
        return send(res, 200, candidate(answer.text ?? 'Sure! Here is your email: {"subject": "Hi', 'STOP', modelVersion));
      case 'slow':
        return this.later(answer.delayMs, res, () => this.answer(answer.then ?? { kind: 'success' }, record, model, res));
    }
  }
}

function candidate(text: string, finishReason: string, modelVersion: string): unknown {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason, index: 0 }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 40, totalTokenCount: 140 },
    modelVersion,
    responseId: randomUUID(),
  };
}

/** Each field the request's response schema requires, filled in. */
function defaultFields(record: GeminiRequest): Record<string, string> {
  const required = record.body?.generationConfig?.responseSchema?.required ?? [];
  return Object.fromEntries(required.map((name) => [name, `Generated ${name}`]));
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string, details: unknown[] = []): void {
  send(res, status, { error: { code: status, message, status: code, ...(details.length ? { details } : {}) } });
}
