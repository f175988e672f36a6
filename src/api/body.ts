import type { Context } from 'hono';
import { variableOf } from '../config';
import { clip } from './echo';
import { ApiError, formatPath } from './errors';
import { parseStrictJson, type JsonRefusal } from './strict-json';

export interface BodyRules {
  maxBodyBytes: number;
  /** How long a client may take to send the body once its headers arrived: a slow sender holds a socket and memory. */
  bodyTimeoutMs: number;
  maxJsonDepth: number;
  maxEchoChars: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON body, with every way it can be unreadable, too big, too slow or ambiguous mapped to a stable code. */
export async function readJson(c: Context, rules: BodyRules): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'headers.content-type', `headers.content-type is "${clip(type, rules.maxEchoChars)}"; send "application/json"`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBody(c, rules);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The client went away mid-body: nobody reads this answer, but it must not count as a server failure.
    throw new ApiError('INVALID_JSON', '', 'the body ended before its declared end; send the whole JSON object');
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ApiError('INVALID_ENCODING', '', 'the body is not valid UTF-8; encode the JSON as UTF-8');
  }
  const parsed = await parseStrictJson(text, rules.maxJsonDepth);
  if (!parsed.ok) throw refusalError(parsed.refusal, rules);
  return parsed.value;
}

/**
 * Reads the body up to maxBodyBytes within bodyTimeoutMs. On either limit it stops reading and
 * the answer closes the connection (the rest of the body is never read, so the connection cannot
 * carry another request).
 */
async function readBody(c: Context, { maxBodyBytes, bodyTimeoutMs }: BodyRules): Promise<Uint8Array> {
  const tooLarge = () => new ApiError('BODY_TOO_LARGE', '', `the body is larger than ${maxBodyBytes} bytes (${variableOf('api.maxBodyBytes')}); split it into smaller requests or batches`);
  if (Number(c.req.header('content-length') ?? 0) > maxBodyBytes) throw tooLarge();
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError('BODY_TIMEOUT', '', `the body did not arrive within ${bodyTimeoutMs / 1000}s (${variableOf('api.bodyTimeoutMs')}); send it at once`)), bodyTimeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const reading = reader.read();
      reading.catch(() => undefined); // once we give up, the pending read fails when the socket closes
      const { done, value } = await Promise.race([reading, late]);
      if (done) break;
      size += value.length;
      if (size > maxBodyBytes) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, size);
}

function refusalError(refusal: JsonRefusal, rules: BodyRules): ApiError {
  const path = clip(formatPath(refusal.path), rules.maxEchoChars);
  const at = path || 'the body';
  const found = clip(refusal.found ?? '', rules.maxEchoChars);
  switch (refusal.code) {
    case 'INVALID_JSON':
      // The parser's message quotes the body, which may hold personal data: say where to look instead.
      return new ApiError('INVALID_JSON', '', 'the body is not valid JSON; send one JSON object (check quotes, commas and brackets)');
    case 'JSON_TOO_DEEP':
      return new ApiError('JSON_TOO_DEEP', path, `${at} nests objects and arrays deeper than ${rules.maxJsonDepth} levels (${variableOf('limits.maxJsonDepth')}); flatten the data`);
    case 'JSON_DUPLICATE_KEY':
      return new ApiError('JSON_DUPLICATE_KEY', path, `${path} appears twice in the same object; send each key once (a JSON reader would silently keep only the last)`);
    case 'JSON_FORBIDDEN_KEY':
      return new ApiError('JSON_FORBIDDEN_KEY', path, `${path}: the key "${found}" is not allowed anywhere (it would be dropped or alter objects); rename it`);
    case 'JSON_UNSAFE_NUMBER':
      return new ApiError('JSON_UNSAFE_NUMBER', path, `${at} is ${found}, which cannot be kept exactly (integers must lie within ±9007199254740991, numbers within ±1.7e308 and not round to 0); send it as a string`);
  }
}
