import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createKeyCheck, presentedKey } from '../api/auth';
import { serveOn, splitAddress, type RunningServer } from '../api/server';
import { ApiError } from '../api/errors';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Store } from '../store/store';
import { CustomerKeys } from './customer-keys';
import { AesGcmPayloadCodec, PayloadDecryptError } from './payload-codec';

/** A payload as the Temporal UI and CLI send it to a codec server: proto3 JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * What an erased customer's payload decodes to: a JSON string saying so. The Web UI shows a
 * decoded payload as it is, per payload; an error status instead fails the whole batch (the UI
 * sends an event's payloads together) and leaves every one of them as unreadable base64, the
 * readable ones beside it too. The metadata key marks it for anything that reads it by program.
 */
export const ERASED_METADATA = 'waymark-erased';
const erasedPlaceholder = (message: string): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain'), [ERASED_METADATA]: new TextEncoder().encode('true') },
  data: new TextEncoder().encode(JSON.stringify(`[erased] ${message}`)),
});

/** Decodes one payload at a time, so an erased customer's payload becomes its placeholder and the others decode. */
async function decodeEach(codec: PayloadCodec, payloads: Payload[]): Promise<Payload[]> {
  const decoded: Payload[] = [];
  for (const payload of payloads) {
    try {
      decoded.push(...(await codec.decode([payload])));
    } catch (err) {
      if (err instanceof PayloadDecryptError && err.erased) decoded.push(erasedPlaceholder(err.message));
      else throw err;
    }
  }
  return decoded;
}

const isPayloadList = (body: unknown): body is { payloads: JsonPayload[] } =>
  typeof body === 'object' && body !== null && Array.isArray((body as { payloads?: unknown }).payloads) &&
  (body as { payloads: unknown[] }).payloads.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p));

/**
 * The codec server (Temporal's remote codec protocol): POST /decode and /encode with
 * `{"payloads": [...]}`, for the Temporal UI (which calls it from the browser, hence CORS for the
 * configured origins) and `temporal --codec-endpoint`. With auth "keys" a request needs a
 * WAYMARK_API_KEYS key with the "decode" scope; a refusal is logged (warn), every request at debug, never with its payloads.
 * An erased customer's payload decodes to a placeholder saying so (erasedPlaceholder); any other
 * payload that does not decode fails the request (422) with the reason.
 */
export function createCodecServer(config: Pick<Config, 'codecServer' | 'api'>, codec: PayloadCodec, logger: Logger): Hono {
  const { origins, auth, maxBodyBytes } = config.codecServer;
  const authorize = createKeyCheck(config.api.apiKeys);
  const app = new Hono();
  app.use('*', cors({ origin: (origin) => (origins.includes(origin) ? origin : null), allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], credentials: true, maxAge: 600 }));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  const route = (direction: 'encode' | 'decode') =>
    app.post(
      `/${direction}`,
      bodyLimit({ maxSize: maxBodyBytes, onError: (c) => c.json({ code: 'BODY_TOO_LARGE', message: `the body is over ${maxBodyBytes} bytes (WAYMARK_CODEC_SERVER_MAX_BODY_BYTES)` }, 413) }),
      async (c: Context) => {
        if (auth === 'keys') {
          try {
            authorize(presentedKey((name) => c.req.header(name)), 'decode');
          } catch (err) {
            const error = err as ApiError;
            logger.warn({ direction, code: error.code, origin: c.req.header('origin') }, 'codec server refused a request');
            return c.json({ code: error.code, message: error.message }, error.status as 401 | 403);
          }
        }
        const body: unknown = await c.req.json().catch(() => undefined);
        if (!isPayloadList(body)) return c.json({ code: 'BODY_INVALID', message: 'the body must be JSON {"payloads": [{"metadata": {...}, "data": "<base64>"}]}' }, 400);
        try {
          const payloads = body.payloads.map(fromJson);
          const done = direction === 'decode' ? await decodeEach(codec, payloads) : await codec.encode(payloads);
          logger.debug({ direction, payloads: payloads.length, namespace: c.req.header('x-namespace'), origin: c.req.header('origin') }, `codec server: ${direction}d`);
          return c.json({ payloads: done.map(toJson) });
        } catch (err) {
          logger.warn({ direction, err: (err as Error).message }, `codec server could not ${direction}`);
          return c.json({ code: 'CODEC_FAILED', message: (err as Error).message }, 422);
        }
      },
    );
  route('decode');
  route('encode');
  return app;
}

/**
 * The codec server on WAYMARK_CODEC_SERVER_ADDRESS when payloads are encrypted (`npm run dev`,
 * `npm run codec-server`); none otherwise. Customers' data keys are read from `store`.
 */
export async function startCodecServer(config: Config, logger: Logger, store: Store): Promise<RunningServer | undefined> {
  if (config.temporal.payloadKeys.length === 0) return undefined;
  const [host, port] = splitAddress(config.codecServer.address);
  const codec = new AesGcmPayloadCodec(config.temporal.payloadKeys, new CustomerKeys(store, config));
  return serveOn(createCodecServer(config, codec, logger), host, port, 'codecServer.address', {}, config.api.shutdownGraceMs);
}
