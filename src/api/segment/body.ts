import type { Context } from 'hono';
import { variableOf } from '../../config';
import { readJson, type BodyRules } from '../body';
import { clip } from '../echo';
import { ApiError } from '../errors';

/**
 * Content types read as JSON. RudderStack's Node SDK labels its gzipped JSON
 * application/x-www-form-urlencoded (its HTTP client's default for a Buffer), and senders that
 * cannot set headers send text/plain: the body is read as strict JSON either way.
 */
const JSON_TYPES = /^(application\/json|text\/plain|application\/x-www-form-urlencoded)\s*(;|$)/i;

/** The most bytes a body may have once decompressed, and the setting that says so. */
export interface SizeRule {
  maxBytes: number;
  setting: string;
}

/**
 * The JSON body of a Segment-compatible call: plain or gzip (RudderStack's SDK gzips by
 * default), at most `size.maxBytes` on the wire and again once decompressed (a small gzip body
 * can inflate to gigabytes, and a large one to nothing), then read like any body of the event API:
 * strictly, within the body timeout and the depth limit.
 */
export async function readCallJson(c: Context, rules: BodyRules, size: SizeRule): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!JSON_TYPES.test(type)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'headers.content-type', `headers.content-type is "${clip(type, rules.maxEchoChars)}"; send "application/json"`);
  }
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'headers.content-encoding', `headers.content-encoding is "${clip(encoding, rules.maxEchoChars)}"; send the body plain or gzip`);
  }
  const tooLarge = () => {
    // The rest of the body is never read, so the connection cannot carry another request.
    c.header('Connection', 'close');
    return new ApiError('BODY_TOO_LARGE', '', `the body is larger than ${size.maxBytes} bytes (${variableOf(size.setting)}); send smaller calls, or fewer calls per batch`);
  };
  // The bytes on the wire count too: gzip can pad a body with empty blocks that inflate to nothing.
  if (Number(c.req.header('content-length') ?? 0) > size.maxBytes) throw tooLarge();
  const raw = c.req.raw.body;
  const decoded = raw && encoding === 'gzip' ? raw.pipeThrough(byteLimit(size.maxBytes, tooLarge)).pipeThrough(gunzip()) : raw;
  const body = decoded ? decoded.pipeThrough(byteLimit(size.maxBytes, tooLarge)) : null;
  // readJson reads c.req.raw.body and its headers: hand it the decoded stream, declared as JSON of unknown length.
  const view = {
    req: { raw: { body }, header: (name: string) => (name.toLowerCase() === 'content-type' ? 'application/json' : name.toLowerCase() === 'content-length' ? undefined : c.req.header(name)) },
    header: (name: string, value: string) => c.header(name, value),
  } as unknown as Context;
  return readJson(view, rules);
}

/** gzip decoding whose failure is the client's mistake, with a code that says so. */
function gunzip(): ReadableWritablePair<Uint8Array, Uint8Array> {
  const inflate = new DecompressionStream('gzip');
  const reader = inflate.readable.getReader();
  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        // A refusal of the bytes on the wire (too many) passes through as it is.
        if (err instanceof ApiError) return controller.error(err);
        controller.error(new ApiError('INVALID_ENCODING', 'headers.content-encoding', 'the body is not valid gzip although headers.content-encoding says so; send it plain or gzip it whole'));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { writable: inflate.writable as WritableStream<Uint8Array>, readable };
}

/** Passes bytes through until more than `maxBytes` came, then fails with `tooLarge()`. */
function byteLimit(maxBytes: number, tooLarge: () => ApiError): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(tooLarge());
      else controller.enqueue(chunk);
    },
  });
}
