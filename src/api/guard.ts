import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { variableOf, type Config } from '../config';
import type { Logger } from '../logger';
import { createKeyCheck, presentedKey } from './auth';
import { clip } from './echo';
import { ApiError } from './errors';
import { FailedKeyLockout, TokenBuckets } from './rate-limit';

/**
 * The door of /v1/*: an address locked out for guessing keys is refused first, then the
 * address's rate, the key, and the key's rate. All of it runs before any byte of the body is
 * read. The limits live in this process's memory: with N API processes behind a balancer, a
 * client gets up to N times the configured rate.
 */
export function createGuard(api: Config['api'], scopeOf: (c: Context) => string, logger: Logger): MiddlewareHandler {
  const authorize = createKeyCheck(api.apiKeys);
  const perAddress = new TokenBuckets(api.addressRatePerSec, api.addressBurst, api.maxTrackedClients);
  const perKey = new TokenBuckets(api.keyRatePerSec, api.keyBurst, api.maxTrackedClients);
  const lockout = new FailedKeyLockout({ failures: api.lockoutFailures, windowMs: api.lockoutWindowMs, lockMs: api.lockoutMs, maxTracked: api.maxTrackedClients });

  return async (c, next) => {
    const address = clientAddress(c, api.trustProxyHops, api.maxEchoChars);
    const lockedMs = lockout.lockedFor(address);
    if (lockedMs > 0) {
      const message = `too many unknown API keys came from your address; try again in ${Math.ceil(lockedMs / 1000)}s with a valid key`;
      throw new ApiError('ADDRESS_LOCKED', 'headers.authorization', message).retryAfter(lockedMs);
    }
    const addressWaitMs = perAddress.take(address);
    if (addressWaitMs > 0) throw rateLimited(addressWaitMs, `${api.addressRatePerSec} requests/s per address (${variableOf('api.addressRatePerSec')})`);
    let key: number;
    try {
      key = authorize(presentedKey((name) => c.req.header(name)), scopeOf(c));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'API_KEY_INVALID' && lockout.fail(address)) {
        logger.warn({ address, forMs: api.lockoutMs }, 'address locked out after repeated unknown API keys');
      }
      throw err;
    }
    const keyWaitMs = perKey.take(String(key));
    if (keyWaitMs > 0) throw rateLimited(keyWaitMs, `${api.keyRatePerSec} requests/s per API key (${variableOf('api.keyRatePerSec')})`);
    await next();
  };
}

function rateLimited(waitMs: number, limit: string): ApiError {
  return new ApiError('RATE_LIMITED', '', `too many requests: the limit is ${limit}; retry after the Retry-After header's seconds`).retryAfter(waitMs);
}

/**
 * The client's address: the socket's peer, or, behind `trustProxyHops` proxies that each append
 * the address they received from to X-Forwarded-For, the entry that many places from the right
 * (entries further left are whatever the client wrote, so they are never trusted).
 */
export function clientAddress(c: Context, trustProxyHops: number, maxChars: number): string {
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return peer;
  const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').map((part) => part.trim());
  const entry = forwarded.length >= trustProxyHops ? forwarded[forwarded.length - trustProxyHops] : undefined;
  return entry ? clip(entry, maxChars) : peer;
}
