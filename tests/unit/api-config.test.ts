import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';

/** Issue 12, item 7 (weak keys) and the API's new settings: a bad value stops the start naming its variable, never a key. */

describe('API settings', () => {
  const STRONG = '9f86d081884c7d659a2feaa0c55ad015';

  it.each([
    ['too short', 'Xk3-short-key'],
    ['long but with little variety', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab'],
  ])('refuses a key that is %s outside development, naming WAYMARK_API_KEYS and not the key', (_name, weak) => {
    const message = problemsOf({ WAYMARK_ENV: 'production', WAYMARK_API_KEYS: `${STRONG}:events,${weak}:events` });
    expect(message).toContain('WAYMARK_API_KEYS=[redacted]');
    expect(message).toContain('entry 2');
    expect(message).not.toContain(weak);
    expect(message).not.toContain(STRONG);
  });

  it('accepts strong keys in production, and any key in development and test', () => {
    expect(loadConfig({}, { WAYMARK_ENV: 'production', WAYMARK_API_KEYS: `${STRONG}:events`, WAYMARK_TEMPORAL_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` }).api.apiKeys).toHaveLength(1);
    for (const env of ['development', 'test']) expect(loadConfig({}, { WAYMARK_ENV: env, WAYMARK_API_KEYS: 'k:events' }).api.apiKeys).toHaveLength(1);
  });

  it.each([
    ['WAYMARK_API_HEADERS_TIMEOUT', { WAYMARK_API_HEADERS_TIMEOUT: '1m', WAYMARK_API_REQUEST_TIMEOUT: '30s' }],
    ['WAYMARK_API_METRICS_ADDRESS', { WAYMARK_API_METRICS_ADDRESS: '9464' }],
    ['WAYMARK_API_MIN_TIMESTAMP', { WAYMARK_API_MIN_TIMESTAMP: 'last year' }],
    ['WAYMARK_API_KEY_RATE', { WAYMARK_API_KEY_RATE: '0' }],
    ['WAYMARK_API_MAX_ECHO_CHARS', { WAYMARK_API_MAX_ECHO_CHARS: 'lots' }],
    ['WAYMARK_API_LOCKOUT_DURATION', { WAYMARK_API_LOCKOUT_DURATION: '15 minutes' }],
  ])('refuses a bad %s by name', (variable, overrides) => {
    expect(problemsOf(overrides)).toContain(`${variable}=`);
  });
});
