import { BrazeClient } from '../../src/channels/braze/client';
import { toActivityFailure } from '../../src/channels/braze/errors';
import { loadConfig } from '../../src/config';
import { GeminiContentGenerator } from '../../src/content/gemini';
import { ContentGenerationError } from '../../src/content/port';
import { CircuitBreaker, type CircuitState } from '../../src/resilience/circuit-breaker';
import { BrazeServer } from '../support/braze-server';
import { GeminiServer } from '../support/gemini-server';

/**
 * The circuit breaker per provider: its states on a clock the test moves, then in front of the
 * real Braze client and the real Gemini client talking to loopback servers that stage an outage:
 * after the configured failures no request reaches the provider until the cool-down has passed,
 * then one trial decides.
 */
describe('CircuitBreaker', () => {
  it('opens after consecutive failures, refuses for the cool-down, lets one trial through, and closes on its success', () => {
    let now = 0;
    const changes: CircuitState[] = [];
    const breaker = new CircuitBreaker('braze', { failures: 3, cooldownMs: 10_000 }, (s) => changes.push(s), () => now);
    breaker.failure();
    breaker.failure();
    breaker.success(); // an answer on the merits: the count starts again
    breaker.failure();
    breaker.failure();
    expect(breaker.gate()).toEqual({ open: false });
    breaker.failure();
    expect(breaker.state).toBe('open');
    now = 4_000;
    expect(breaker.gate()).toEqual({ open: true, retryInMs: 6_000 });
    now = 10_000;
    expect(breaker.gate()).toEqual({ open: false }); // the trial
    expect(breaker.state).toBe('half_open');
    expect(breaker.gate()).toEqual({ open: true, retryInMs: 10_000 }); // one trial at a time
    breaker.failure(); // the trial failed: open again, for a whole cool-down
    expect(breaker.gate()).toEqual({ open: true, retryInMs: 10_000 });
    now = 20_000;
    expect(breaker.gate()).toEqual({ open: false });
    breaker.success();
    expect(breaker.gate()).toEqual({ open: false });
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('lets another trial go when one was never heard of for a cool-down (a cancelled call)', () => {
    let now = 0;
    const breaker = new CircuitBreaker('gemini', { failures: 1, cooldownMs: 1_000 }, undefined, () => now);
    breaker.failure();
    now = 1_000;
    expect(breaker.gate()).toEqual({ open: false });
    now = 1_500;
    expect(breaker.gate().open).toBe(true);
    now = 2_000;
    expect(breaker.gate()).toEqual({ open: false });
  });
});

describe('the breaker in front of the real Braze client (loopback Braze)', () => {
  it('after 3 server errors, sends fail at once without a request, as "not sent" with the wait until the trial; the trial closes it', async () => {
    const server = await BrazeServer.start();
    try {
      const breaker = new CircuitBreaker('braze', { failures: 3, cooldownMs: 1_000 });
      const config = loadConfig({}, { WAYMARK_ENV: 'test', WAYMARK_BRAZE_URL: server.url, WAYMARK_BRAZE_API_KEY: server.apiKey, WAYMARK_BRAZE_APP_ID: 'app-1', WAYMARK_BRAZE_EMAIL_FROM: 'Waymark <hello@example.com>' });
      const client = new BrazeClient({ ...config.braze, breaker });
      const send = () => client.trackUsers({ attributes: [{ external_id: 'u1', plan: 'pro' }] });
      server.answerNext({ kind: 'server_error' }, { kind: 'server_error' }, { kind: 'rejected', status: 400, message: 'bad attribute' }, { kind: 'server_error' }, { kind: 'server_error' }, { kind: 'server_error' });
      for (let i = 0; i < 6; i++) await send().catch(() => undefined); // the 4xx between them resets the count: open only after the last three
      expect(server.received.length).toBe(6);
      expect(breaker.state).toBe('open');

      const refused = await send().then(() => undefined, (err: unknown) => err);
      expect(server.received.length).toBe(6); // no request
      expect(refused).toMatchObject({ code: 'BRAZE_CIRCUIT_OPEN', outcome: 'not-sent' });
      const failure = toActivityFailure(refused) as { type: string; nonRetryable: boolean; nextRetryDelay?: unknown };
      expect(failure).toMatchObject({ type: 'BRAZE_CIRCUIT_OPEN', nonRetryable: false });
      expect(Number(failure.nextRetryDelay)).toBeGreaterThan(0);

      await new Promise((r) => setTimeout(r, 1_050));
      await expect(send()).resolves.toMatchObject({ message: 'success' }); // the trial, answered
      expect(server.received.length).toBe(7);
      expect(breaker.state).toBe('closed');
    } finally {
      await server.close();
    }
  });
});

describe('the breaker in front of the real Gemini client (loopback Gemini)', () => {
  it('after 2 outages, generation fails at once with CONTENT_CIRCUIT_OPEN (the send takes its template) and Gemini gets no call', async () => {
    const server = await GeminiServer.start();
    try {
      const config = loadConfig({}, {
        WAYMARK_ENV: 'test',
        WAYMARK_CONTENT_GENERATOR: 'gemini',
        WAYMARK_GEMINI_API_KEY: server.apiKey,
        WAYMARK_GEMINI_BASE_URL: server.url,
        WAYMARK_CONTENT_TIMEOUT: '1s',
        WAYMARK_CONTENT_RETRIES: '0',
      });
      const breaker = new CircuitBreaker('gemini', { failures: 2, cooldownMs: 60_000 });
      const generator = new GeminiContentGenerator(config.content, undefined, breaker);
      const request = { channel: 'push' as const, baseline: { channel: 'push' as const, title: 'Hi', body: 'Welcome' }, brief: 'warmer', customer: {}, maxChars: {} };
      server.answerNext({ kind: 'server_error', status: 503 }, { kind: 'server_error', status: 500 });
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) codes.push(await generator.generate(request).then(() => 'ok', (err: ContentGenerationError) => err.code));
      expect(codes).toEqual(['CONTENT_UNAVAILABLE', 'CONTENT_UNAVAILABLE', 'CONTENT_CIRCUIT_OPEN']);
      expect(server.received.length).toBe(2);
    } finally {
      await server.close();
    }
  });
});
