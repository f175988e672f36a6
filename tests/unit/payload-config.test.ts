import { loadConfig } from '../../src/config';
import { problemsOf } from '../support/config-problems';

/** WAYMARK_TEMPORAL_PAYLOAD_KEYS and the codec server's settings: a bad value stops the start naming its variable, never a key. */

const KEY = Buffer.alloc(32, 1).toString('base64');
const OTHER = Buffer.alloc(32, 2).toString('base64');
const PRODUCTION = { WAYMARK_ENV: 'production', WAYMARK_API_KEYS: '9f86d081884c7d659a2feaa0c55ad015:events' };

describe('payload keys', () => {
  it('reads "id:base64" entries in order: the first encrypts, all decrypt', () => {
    const keys = loadConfig({}, { WAYMARK_TEMPORAL_PAYLOAD_KEYS: ` k2:${OTHER} , k1:${KEY}` }).temporal.payloadKeys;
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([['k2', 32], ['k1', 32]]);
    expect(loadConfig({}, {}).temporal.payloadKeys).toEqual([]);
  });

  it.each([
    ['no id', KEY, 'entry 1 must be "key id:base64 key"'],
    ['a short key', `k1:${Buffer.alloc(16).toString('base64')}`, 'entry 1 (key id "k1") is 16 bytes; AES-256 needs 32'],
    ['a repeated id', `k1:${KEY},k1:${OTHER}`, 'entry 2 repeats the key id "k1"'],
    ['an id with a space', `my key:${KEY}`, 'entry 1 must be "key id:base64 key"'],
  ])('refuses %s, naming the variable and the entry, never a key', (_name, value, problem) => {
    const message = problemsOf({ WAYMARK_TEMPORAL_PAYLOAD_KEYS: value });
    expect(message).toContain('WAYMARK_TEMPORAL_PAYLOAD_KEYS=[redacted]');
    expect(message).toContain(problem);
    expect(message).not.toContain(KEY);
    expect(message).not.toContain(OTHER);
  });

  it('is required in production: history in clear would show every email and trait', () => {
    expect(problemsOf(PRODUCTION)).toContain('WAYMARK_TEMPORAL_PAYLOAD_KEYS=[redacted]: is empty: in production');
    expect(loadConfig({}, { ...PRODUCTION, WAYMARK_TEMPORAL_PAYLOAD_KEYS: `k1:${KEY}` }).temporal.payloadKeys).toHaveLength(1);
  });
});

describe('codec server settings', () => {
  it('refuses auth "none" on an address other machines reach, and takes it on loopback', () => {
    expect(problemsOf({ WAYMARK_CODEC_SERVER_ADDRESS: '0.0.0.0:8234' })).toContain('WAYMARK_CODEC_SERVER_ADDRESS="0.0.0.0:8234": is not a loopback address, and WAYMARK_CODEC_SERVER_AUTH is "none"');
    expect(loadConfig({}, { WAYMARK_CODEC_SERVER_ADDRESS: '0.0.0.0:8234', WAYMARK_CODEC_SERVER_AUTH: 'keys' }).codecServer.auth).toBe('keys');
    expect(loadConfig({}, {}).codecServer).toMatchObject({ address: '127.0.0.1:8234', auth: 'none', origins: ['http://localhost:8233', 'http://127.0.0.1:8233'] });
  });

  it('refuses an origin that is not a URL', () => {
    expect(problemsOf({ WAYMARK_CODEC_SERVER_ORIGINS: 'http://localhost:8233,localhost:8233' })).toContain('WAYMARK_CODEC_SERVER_ORIGINS="http://localhost:8233,localhost:8233": must be origins');
    expect(problemsOf({ WAYMARK_CODEC_SERVER_ORIGINS: 'https://temporal.example.com/ui' })).toContain('(no path)');
  });
});
