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
  /** Returns the position of the matching key in WAYMARK_API_KEYS (an id that is not secret, for rate limits and logs). */
  return function authorize(presented: string | undefined, scope: string): number {
    if (!presented) {
      throw new ApiError('API_KEY_MISSING', 'headers.authorization', 'headers.authorization is missing: send "Authorization: Bearer <key>", "X-API-Key: <key>", or HTTP Basic with the key as user name and no password');
    }
    const digest = sha256(presented);
    let scopes: string[] | undefined;
    let index = -1;
    for (let i = 0; i < known.length; i++) {
      if (timingSafeEqual(digest, known[i]!.digest)) [scopes, index] = [known[i]!.scopes, i];
    }
    if (!scopes) throw new ApiError('API_KEY_INVALID', 'headers.authorization', 'headers.authorization holds an unknown API key; check the key you were given');
    if (!scopes.includes(scope)) {
      throw new ApiError('API_KEY_FORBIDDEN', 'headers.authorization', `headers.authorization: this API key lacks the "${scope}" scope; use a key with it`);
    }
    return index;
  };
}

/**
 * The key from `Authorization: Bearer <key>`, `X-API-Key: <key>`, or HTTP Basic with the key as
 * user name and an empty password, as the Segment and RudderStack SDKs send their write key. A
 * Basic header with a password is someone else's scheme (a key in the password, a user and
 * password): it presents no key.
 */
export function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const authorization = header('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const basic = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(authorization);
  const writeKey = basic ? /^([^:\s]+):$/.exec(Buffer.from(basic[1]!, 'base64').toString('utf8'))?.[1] : undefined;
  return bearer?.[1] ?? writeKey ?? (header('x-api-key')?.trim() || undefined);
}
