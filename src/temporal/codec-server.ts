import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createKeyCheck, presentedKey } from '../api/auth';
import { serveOn, splitAddress, type RunningServer } from '../api/server';
import { ApiError } from '../api/errors';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { AesGcmPayloadCodec } from './payload-codec';

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

const isPayloadList = (body: unknown): body is { payloads: JsonPayload[] } =>
  typeof body === 'object' && body !== null && Array.isArray((body as { payloads?: unknown }).payloads) &&
  (body as { payloads: unknown[] }).payloads.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p));

/**
 * The codec server (Temporal's remote codec protocol): POST /decode and /encode with
 * `{"payloads": [...]}`, for the Temporal UI (which calls it from the browser, hence CORS for the
 * configured origins) and `temporal --codec-endpoint`. With auth "keys" a request needs a
 * WAYMARK_API_KEYS key with the "decode" scope; a refusal is logged (warn), every request at debug, never with its payloads.
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
          const done = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
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

/** The codec server on WAYMARK_CODEC_SERVER_ADDRESS when payloads are encrypted (`npm run dev`, `npm run codec-server`); none otherwise. */
export async function startCodecServer(config: Config, logger: Logger): Promise<RunningServer | undefined> {
  if (config.temporal.payloadKeys.length === 0) return undefined;
  const [host, port] = splitAddress(config.codecServer.address);
  return serveOn(createCodecServer(config, new AesGcmPayloadCodec(config.temporal.payloadKeys), logger), host, port, 'codecServer.address', {}, config.api.shutdownGraceMs);
}
