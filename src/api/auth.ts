import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config';
import { ApiError } from './errors';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks API keys without leaking, through timing, how much of a guess was right: keys are
 * compared as SHA-256 digests (equal length, so timingSafeEqual applies) and every configured
 * key is compared, whether or not an earlier one matched.
 */
export function createKeyCheck(keys: Config['api']['apiKeys']) {
  const known = keys.map(({ key, scopes }) => ({ digest: sha256(key), scopes }));
  return function authorize(presented: string | undefined, scope: string): void {
    if (!presented) {
      throw new ApiError('API_KEY_MISSING', 'headers.authorization', 'headers.authorization is missing: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    }
    const digest = sha256(presented);
    let scopes: string[] | undefined;
    for (const k of known) if (timingSafeEqual(digest, k.digest)) scopes = k.scopes;
    if (!scopes) throw new ApiError('API_KEY_INVALID', 'headers.authorization', 'headers.authorization holds an unknown API key; check the key you were given');
    if (!scopes.includes(scope)) {
      throw new ApiError('API_KEY_FORBIDDEN', 'headers.authorization', `headers.authorization: this API key lacks the "${scope}" scope; use a key with it`);
    }
  };
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header('authorization') ?? '');
  return bearer?.[1] ?? (header('x-api-key')?.trim() || undefined);
}
