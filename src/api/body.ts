import { TextDecoder } from 'node:util';
import type { Context } from 'hono';
import { variableOf } from '../config';
import { clip } from './echo';
import { ApiError } from './errors';
import { refusalError } from './json-refusals';
import { DepthGuard, parseStrictJson } from './strict-json';

export interface BodyRules {
  maxBodyBytes: number;
  /** How long a client may take to send the body once its headers arrived: a slow sender holds a socket and memory. */
  bodyTimeoutMs: number;
  maxJsonDepth: number;
  maxEchoChars: number;
}

/** The JSON body, with every way it can be unreadable, too big, too slow, too deep or ambiguous mapped to a stable code. */
export async function readJson(c: Context, rules: BodyRules): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'headers.content-type', `headers.content-type is "${clip(type, rules.maxEchoChars)}"; send "application/json"`);
  }
  // Node's parser removes "chunked" and hands any other transfer coding over still encoded: refuse it rather than misread it.
  const transfer = c.req.header('transfer-encoding');
  if (transfer !== undefined && transfer.split(',').some((coding) => coding.trim().toLowerCase() !== 'chunked')) {
    c.header('Connection', 'close');
    throw new ApiError('TRANSFER_ENCODING_UNSUPPORTED', 'headers.transfer-encoding', `headers.transfer-encoding is "${clip(transfer, rules.maxEchoChars)}"; only "chunked" is understood: send a gzip body with "Content-Encoding: gzip"`);
  }
  const text = await readText(c, rules);
  const parsed = await parseStrictJson(text, rules.maxJsonDepth);
  if (!parsed.ok) throw refusalError(parsed.refusal, rules.maxJsonDepth, rules.maxEchoChars);
  return parsed.value;
}

/**
 * Reads and decodes the body as it arrives, up to maxBodyBytes, within bodyTimeoutMs, and stops
 * at the first piece that nests too deep (a megabyte of "[" costs one piece, not a megabyte).
 * Whenever it stops early the answer closes the connection: the rest of the body is never read,
 * so the connection cannot carry another request.
 */
async function readText(c: Context, rules: BodyRules): Promise<string> {
  const { maxBodyBytes, bodyTimeoutMs, maxJsonDepth, maxEchoChars } = rules;
  const stopEarly = (error: ApiError) => {
    c.header('Connection', 'close');
    return error;
  };
  const tooLarge = () => stopEarly(new ApiError('BODY_TOO_LARGE', '', `the body is larger than ${maxBodyBytes} bytes (${variableOf('api.maxBodyBytes')}); split it into smaller requests or batches`));
  if (Number(c.req.header('content-length') ?? 0) > maxBodyBytes) throw tooLarge();
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const guard = new DepthGuard(maxJsonDepth);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(stopEarly(new ApiError('BODY_TIMEOUT', '', `the body did not arrive within ${bodyTimeoutMs / 1000}s (${variableOf('api.bodyTimeoutMs')}); send it at once`))), bodyTimeoutMs);
  });
  const pieces: string[] = [];
  let size = 0;
  try {
    for (;;) {
      const reading = reader.read();
      reading.catch(() => undefined); // once we give up, the pending read fails when the socket closes
      const { done, value } = await Promise.race([reading, late]).catch(incomplete);
      const piece = decode(decoder, value, done);
      pieces.push(piece);
      if (done) return pieces.join('');
      size += value.length;
      if (size > maxBodyBytes) throw tooLarge();
      if (!guard.feed(piece)) {
        // The text so far is enough for the scanner to say where it nests too deep.
        const partial = await parseStrictJson(pieces.join(''), maxJsonDepth);
        if (!partial.ok && partial.refusal.code === 'JSON_TOO_DEEP') throw stopEarly(refusalError(partial.refusal, maxJsonDepth, maxEchoChars));
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

function incomplete(err: unknown): never {
  if (err instanceof ApiError) throw err;
  // The client went away mid-body: nobody reads this answer, but it must not count as a server failure.
  throw new ApiError('INVALID_JSON', '', 'the body ended before its declared end; send the whole JSON object');
}

function decode(decoder: TextDecoder, bytes: Uint8Array | undefined, done: boolean): string {
  try {
    return decoder.decode(bytes, { stream: !done });
  } catch {
    throw new ApiError('INVALID_ENCODING', '', 'the body is not valid UTF-8; encode the JSON as UTF-8');
  }
}
