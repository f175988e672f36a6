import { PassThrough } from 'node:stream';
import { apiOnDevServer, captureLogger, KEY } from '../support/api';

/**
 * Issue 12, item 7: per-key and per-address rate limits (429 + Retry-After) and the lockout of
 * an address that tries unknown keys. Bodies are '{}' (refused with 422 after the guard), so
 * every status below comes from the guard, not from Temporal.
 */

const SECOND_KEY = 'test-key-second-events';

describe('event API rate limits and key lockout (dev server)', () => {
  describe('per API key', () => {
    let api: Awaited<ReturnType<typeof apiOnDevServer>>;
    beforeAll(async () => {
      api = await apiOnDevServer({ WAYMARK_API_KEYS: `${KEY}:events,${SECOND_KEY}:events`, WAYMARK_API_KEY_RATE: '1', WAYMARK_API_KEY_BURST: '3' }, undefined, { worker: false });
    });
    afterAll(() => api?.close());

    it('answers 429 RATE_LIMITED with Retry-After once a key spent its burst, without slowing other keys', async () => {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await api.post('/v1/events', '{}')).status);
      const limited = await api.post('/v1/events', '{}');
      expect([...statuses, limited.status]).toEqual([422, 422, 422, 429]);
      expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('WAYMARK_API_KEY_RATE') });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await api.post('/v1/events', '{}', { authorization: `Bearer ${SECOND_KEY}` })).status).toBe(422);

      await new Promise((r) => setTimeout(r, Number(limited.headers.get('retry-after')) * 1000));
      expect((await api.post('/v1/events', '{}')).status).toBe(422);
    });
  });

  describe('per client address, behind one trusted proxy', () => {
    const logs: string[] = [];
    const stream = new PassThrough().on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    let api: Awaited<ReturnType<typeof apiOnDevServer>>;
    beforeAll(async () => {
      api = await apiOnDevServer(
        {
          WAYMARK_API_TRUST_PROXY_HOPS: '1',
          WAYMARK_API_ADDRESS_RATE: '1',
          WAYMARK_API_ADDRESS_BURST: '5',
          WAYMARK_API_LOCKOUT_FAILURES: '3',
          WAYMARK_API_LOCKOUT_WINDOW: '1m',
          WAYMARK_API_LOCKOUT_DURATION: '1h',
        },
        captureLogger(stream),
        { worker: false },
      );
    });
    afterAll(() => api?.close());

    /** As the proxy would forward it: whatever the client wrote, then the address the proxy saw. */
    const from = (address: string, key = KEY, claimed?: string) => ({ authorization: `Bearer ${key}`, 'x-forwarded-for': claimed ? `${claimed}, ${address}` : address });

    it('limits each address to its burst, then 429 with Retry-After', async () => {
      // The burst (5) passes, then 429. The bucket refills 1 a second, so on a slow machine a few
      // more may pass: at most one per second the requests took.
      const statuses: number[] = [];
      const started = Date.now();
      while (!statuses.includes(429) && statuses.length < 60) statuses.push((await api.post('/v1/events', '{}', from('10.0.0.1'))).status);
      const refilled = Math.ceil((Date.now() - started) / 1000);
      const first = statuses.indexOf(429);
      expect(first).toBeGreaterThanOrEqual(5);
      expect(first).toBeLessThanOrEqual(5 + refilled);
      expect(statuses.slice(0, first).every((s) => s === 422)).toBe(true);
      const limited = await api.post('/v1/events', '{}', from('10.0.0.1'));
      expect([limited.status, (limited.body.error as { code: string }).code]).toEqual([429, 'RATE_LIMITED']);
      expect(limited.body.error).toMatchObject({ message: expect.stringContaining('WAYMARK_API_ADDRESS_RATE') });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await api.post('/v1/events', '{}', from('10.0.0.3'))).status).toBe(422);
    });

    it('locks an address out after repeated unknown keys, even for a valid key, and logs no key', async () => {
      const guesses = [];
      for (let i = 0; i < 3; i++) guesses.push((await api.post('/v1/events', '{}', from('10.0.0.2', `guess-${i}`))).status);
      expect(guesses).toEqual([401, 401, 401]);

      const locked = await api.post('/v1/events', '{}', from('10.0.0.2'));
      expect([locked.status, (locked.body.error as { code: string }).code]).toEqual([429, 'ADDRESS_LOCKED']);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(3_500);
      // What the client writes in front of the proxy's entry does not get it out.
      expect((await api.post('/v1/events', '{}', from('10.0.0.2', KEY, '192.0.2.7'))).status).toBe(429);
      // Other addresses are not affected, and a missing key is a mistake, not a guess.
      expect((await api.post('/v1/events', '{}', from('10.0.0.4'))).status).toBe(422);
      for (let i = 0; i < 3; i++) expect((await api.post('/v1/events', '{}', { authorization: '', 'x-forwarded-for': '10.0.0.5' })).status).toBe(401);
      expect((await api.post('/v1/events', '{}', from('10.0.0.5'))).status).toBe(422);

      const text = logs.join('');
      expect(text).toContain('address locked out after repeated unknown API keys');
      for (const key of [KEY, 'guess-0', 'guess-2']) expect(text).not.toContain(key);
    });
  });
});
