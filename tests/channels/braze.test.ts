import { ApplicationFailure } from '@temporalio/common';
import { loadConfig, type Config } from '../../src/config';
import { freePort } from '../../src/free-port';
import { BrazeChannel } from '../../src/channels/braze/channel';
import { BrazeClient } from '../../src/channels/braze/client';
import { BrazeError, BrazeUnknownOutcomeError, toActivityFailure } from '../../src/channels/braze/errors';
import { BrazeServer } from '../support/braze-server';
import { channelContract, contentFor, outgoingMessage } from './channel-contract';

const SETTINGS = { WAYMARK_BRAZE_APP_ID: 'app-123', WAYMARK_BRAZE_EMAIL_FROM: 'Waymark <hello@example.com>', WAYMARK_BRAZE_SMS_SUBSCRIPTION_GROUP: 'sg-456' };

/** A test config pointing at a loopback Braze (timeout 1s: the smallest duration the config takes). */
const brazeConfig = (server: BrazeServer, overrides: Record<string, string> = {}): Config =>
  loadConfig({}, { WAYMARK_ENV: 'test', WAYMARK_BRAZE_URL: server.url, WAYMARK_BRAZE_API_KEY: server.apiKey, WAYMARK_BRAZE_TIMEOUT: '1s', ...SETTINGS, ...overrides });

channelContract('BrazeChannel (loopback Braze)', async () => {
  const server = await BrazeServer.start();
  return {
    channel: BrazeChannel.fromConfig(brazeConfig(server)),
    received: async (message) =>
      server.on('/messages/send').filter((r) => (r.body as { external_user_ids: string[] }).external_user_ids.includes(message.recipient.externalId)).map((r) => JSON.stringify((r.body as { messages: unknown }).messages)),
    close: () => server.close(),
  };
});

describe('BrazeChannel: what reaches Braze', () => {
  let server: BrazeServer;
  let channel: BrazeChannel;
  beforeAll(async () => {
    server = await BrazeServer.start();
    channel = BrazeChannel.fromConfig(brazeConfig(server));
  });
  afterAll(() => server.close());

  /** The one request a delivery made, and the receipt. */
  async function deliverOne(content: Parameters<typeof outgoingMessage>[0]) {
    const message = { ...outgoingMessage(content), recipient: { externalId: `braze-ext-${Math.random()}`, email: 'ada@example.com' } };
    const before = server.received.length;
    const receipt = await channel.deliver(message);
    expect(server.received).toHaveLength(before + 1);
    return { message, request: server.received[before]!, receipt };
  }

  it('sends an email to the recipient\'s external id with the REST key, every field in Braze\'s email object, and keeps the dispatch_id', async () => {
    const { message, request, receipt } = await deliverOne(contentFor('email', 'e1'));
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/messages/send');
    expect(request.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      external_user_ids: [message.recipient.externalId],
      messages: { email: { app_id: 'app-123', from: 'Waymark <hello@example.com>', subject: 'Welcome e1', preheader: 'Your first steps e1', body: '<p>Hello e1</p>', plaintext_body: 'Hello e1' } },
    });
    expect(receipt.providerMessageId).toBe(request.dispatchId);
    expect(receipt.providerMessageId).toMatch(/^dispatch-/);
  });

  it('sends an SMS through the configured subscription group', async () => {
    const { message, request } = await deliverOne(contentFor('sms', 's1'));
    expect(request.body).toEqual({ external_user_ids: [message.recipient.externalId], messages: { sms: { subscription_group_id: 'sg-456', app_id: 'app-123', body: 'Your code s1' } } });
  });

  it('sends a push as both Apple and Android objects with title and alert', async () => {
    const { request } = await deliverOne(contentFor('push', 'p1'));
    expect((request.body as { messages: unknown }).messages).toEqual({
      apple_push: { alert: { title: 'News p1', body: 'Tap to see p1' } },
      android_push: { title: 'News p1', alert: 'Tap to see p1' },
    });
  });

  it('refuses what Braze cannot send before calling it: an in-app message, an email without a sender', async () => {
    const before = server.received.length;
    const inApp = channel.deliver(outgoingMessage({ channel: 'in_app', body: 'hi' }));
    await expect(inApp).rejects.toMatchObject({ name: 'BrazeError', kind: 'unsendable', outcome: 'rejected' });
    const noSender = BrazeChannel.fromConfig(brazeConfig(server, { WAYMARK_BRAZE_EMAIL_FROM: '' })).deliver(outgoingMessage(contentFor('email', 'x')));
    await expect(noSender).rejects.toThrow(/WAYMARK_BRAZE_EMAIL_FROM/);
    expect(server.received).toHaveLength(before);
  });
});

describe('Braze failures, as Temporal failures', () => {
  const NOW = Date.parse('2026-11-25T12:00:00Z');
  let server: BrazeServer;
  let channel: BrazeChannel;
  beforeAll(async () => {
    server = await BrazeServer.start();
    const { braze } = brazeConfig(server);
    // The client measures x-ratelimit-reset against this fixed clock, so the delay is exact.
    channel = new BrazeChannel(new BrazeClient(braze, () => NOW), braze);
  });
  afterAll(() => server.close());

  /** What one delivery fails with, and the failure an activity would throw for it. */
  async function failure(): Promise<{ err: unknown; failure: ApplicationFailure }> {
    const err = await channel.deliver(outgoingMessage(contentFor('email', 'f'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    const mapped = toActivityFailure(err);
    expect(mapped).toBeInstanceOf(ApplicationFailure);
    return { err, failure: mapped as ApplicationFailure };
  }

  it('429: retryable, next retry at x-ratelimit-reset, nothing sent', async () => {
    server.answerNext({ kind: 'rate_limited', resetAt: NOW / 1000 + 42 });
    const { err, failure: f } = await failure();
    expect(err).toMatchObject({ kind: 'rate_limited', outcome: 'not-sent', retryAfterMs: 42_000, status: 429 });
    expect(f).toMatchObject({ type: 'BRAZE_RATE_LIMITED', nonRetryable: false, nextRetryDelay: 42_000 });
  });

  it('429 with a reset far away: the wait is capped by WAYMARK_BRAZE_RATE_LIMIT_MAX_WAIT (1h)', async () => {
    server.answerNext({ kind: 'rate_limited', resetAt: NOW / 1000 + 3 * 86_400 });
    const { failure: f } = await failure();
    expect(f.nextRetryDelay).toBe(3_600_000);
  });

  it('429 without x-ratelimit-reset: retryable on the activity\'s own backoff', async () => {
    server.answerNext({ kind: 'rate_limited' });
    const { failure: f } = await failure();
    expect(f).toMatchObject({ type: 'BRAZE_RATE_LIMITED', nonRetryable: false });
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it.each([500, 503])('%i: retryable server error, nothing sent', async (status) => {
    server.answerNext({ kind: 'server_error', status });
    const { err, failure: f } = await failure();
    expect(err).toBeInstanceOf(BrazeError);
    expect(err).toMatchObject({ kind: 'server_error', outcome: 'not-sent', status });
    expect(f).toMatchObject({ type: 'BRAZE_SERVER_ERROR', nonRetryable: false });
  });

  it('504: retryable, but the outcome is unknown (a gateway gave up waiting for Braze)', async () => {
    server.answerNext({ kind: 'server_error', status: 504 });
    const { err, failure: f } = await failure();
    expect(err).toBeInstanceOf(BrazeUnknownOutcomeError);
    expect(f).toMatchObject({ type: 'BRAZE_SERVER_ERROR', nonRetryable: false });
  });

  it('400: fails without retry, with Braze\'s reason in the message', async () => {
    server.answerNext({ kind: 'rejected', message: 'Invalid messages object', errors: ['email.from is not a verified sender'] });
    const { err, failure: f } = await failure();
    expect(err).toMatchObject({ kind: 'rejected', outcome: 'rejected', status: 400 });
    expect(f).toMatchObject({ type: 'BRAZE_REJECTED', nonRetryable: true });
    expect(f.message).toContain('Invalid messages object; email.from is not a verified sender');
  });

  it('401 (a wrong key): fails without retry and says which variable to fix', async () => {
    const wrongKey = new BrazeChannel(new BrazeClient({ ...brazeConfig(server).braze, apiKey: 'not-the-key' }), brazeConfig(server).braze);
    const err = await wrongKey.deliver(outgoingMessage(contentFor('sms', 'k'))).catch((e: unknown) => e);
    const f = toActivityFailure(err) as ApplicationFailure;
    expect(f).toMatchObject({ type: 'BRAZE_REJECTED', nonRetryable: true });
    expect(f.message).toMatch(/401: Invalid API key.*WAYMARK_BRAZE_API_KEY/);
  });

  it('an answer slower than WAYMARK_BRAZE_TIMEOUT: retryable timeout, outcome unknown, and the call gives up on time', async () => {
    // The answer would come after a minute: a call back within 20 s gave up at its 1 s timeout (with room for a loaded machine).
    server.answerNext({ kind: 'slow', delayMs: 60_000 });
    const started = Date.now();
    const { err, failure: f } = await failure();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(err).toBeInstanceOf(BrazeUnknownOutcomeError);
    expect(f).toMatchObject({ type: 'BRAZE_TIMEOUT', nonRetryable: false });
    expect(f.message).toContain('WAYMARK_BRAZE_TIMEOUT');
  });

  it('a 2xx that is not JSON: retryable invalid answer, outcome unknown (Braze may have sent it)', async () => {
    server.answerNext({ kind: 'invalid_json' });
    const { err, failure: f } = await failure();
    expect(err).toMatchObject({ name: 'BrazeUnknownOutcomeError', kind: 'invalid_answer', outcome: 'unknown', status: 201 });
    expect(f).toMatchObject({ type: 'BRAZE_INVALID_ANSWER', nonRetryable: false });
  });

  it('nobody listening: retryable network failure, nothing sent, naming WAYMARK_BRAZE_URL', async () => {
    const { braze } = brazeConfig(server);
    const unreachable = new BrazeChannel(new BrazeClient({ ...braze, url: `http://127.0.0.1:${await freePort()}` }), braze);
    const err = await unreachable.deliver(outgoingMessage(contentFor('email', 'n'))).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network', outcome: 'not-sent' });
    expect(toActivityFailure(err)).toMatchObject({ type: 'BRAZE_NETWORK', nonRetryable: false, message: expect.stringContaining('WAYMARK_BRAZE_URL') });
  });

  it('a cancelled call (the activity\'s cancellation) rejects with the caller\'s reason, not as a Braze failure', async () => {
    server.answerNext({ kind: 'slow', delayMs: 5_000 });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const err = await channel.deliver(outgoingMessage(contentFor('email', 'c')), controller.signal).catch((e: unknown) => e);
    expect(err).toBe(reason);
    expect(toActivityFailure(err)).toBe(reason);
  });
});

describe('BrazeClient: the other endpoints', () => {
  let server: BrazeServer;
  let client: BrazeClient;
  beforeAll(async () => {
    server = await BrazeServer.start();
    client = BrazeClient.fromConfig(brazeConfig(server));
  });
  afterAll(() => server.close());

  const last = () => server.received[server.received.length - 1]!;

  it('/users/track: attributes, events and purchases as given; the processed counts come back', async () => {
    const request = {
      attributes: [{ external_id: 'u1', first_name: 'Ada', plan: 'trial' }],
      events: [{ external_id: 'u1', name: 'journey_entered', time: '2026-11-25T10:00:00Z', properties: { journey: 'onboarding' } }],
      purchases: [{ external_id: 'u1', product_id: 'pro', currency: 'EUR', price: 12.5, time: '2026-11-25T10:00:00Z' }],
    };
    const answer = await client.trackUsers(request);
    expect(last()).toMatchObject({ path: '/users/track', body: request });
    expect(answer).toEqual({ message: 'success', attributes_processed: 1, events_processed: 1, purchases_processed: 1 });
  });

  it('/subscription/status/set: group, state and users', async () => {
    const request = { subscription_group_id: 'sg-email', subscription_state: 'unsubscribed' as const, external_id: ['u1', 'u2'] };
    expect(await client.setSubscriptionStatus(request)).toEqual({ message: 'success' });
    expect(last()).toMatchObject({ path: '/subscription/status/set', body: request });
  });

  it('/users/delete: the external ids; the deleted count comes back', async () => {
    expect(await client.deleteUsers({ external_ids: ['u1', 'u2'] })).toEqual({ message: 'success', deleted: 2 });
    expect(last()).toMatchObject({ path: '/users/delete', body: { external_ids: ['u1', 'u2'] } });
  });

  it('/campaigns/trigger/send and /canvas/trigger/send: recipients with their properties; each answers a dispatch_id', async () => {
    const campaign = { campaign_id: 'cmp-1', trigger_properties: { coupon: 'X1' }, recipients: [{ external_user_id: 'u1', trigger_properties: { name: 'Ada' } }] };
    const c = await client.triggerCampaign(campaign);
    expect(last()).toMatchObject({ path: '/campaigns/trigger/send', body: campaign });
    expect(c.dispatch_id).toBe(last().dispatchId);

    const canvas = { canvas_id: 'cnv-1', recipients: [{ external_user_id: 'u1', canvas_entry_properties: { plan: 'trial' }, send_to_existing_only: true }] };
    const v = await client.triggerCanvas(canvas);
    expect(last()).toMatchObject({ path: '/canvas/trigger/send', body: canvas, headers: { authorization: `Bearer ${server.apiKey}` } });
    expect(v.dispatch_id).toBe(last().dispatchId);
  });

  it('a user endpoint\'s 400 keeps Braze\'s reason too', async () => {
    server.answerNext({ kind: 'rejected', message: "'external_id' is required", errors: [{ type: 'missing external_id', index: 0 }] });
    const err = await client.trackUsers({ attributes: [] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected', endpoint: '/users/track' });
    expect((err as Error).message).toContain(`'external_id' is required; {"type":"missing external_id","index":0}`);
  });
});

describe('Braze settings', () => {
  const problems = (overrides: Record<string, string>): string => {
    try {
      loadConfig({}, overrides);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('refuses a Braze URL without a key or app id, an http:// URL in production, a malformed sender', () => {
    expect(problems({ WAYMARK_BRAZE_URL: 'https://rest.iad-01.braze.com' })).toMatch(/WAYMARK_BRAZE_API_KEY=.*must be set[\s\S]*WAYMARK_BRAZE_APP_ID=.*must be set/);
    const prod = problems({ WAYMARK_ENV: 'production', WAYMARK_API_KEYS: '9f86d081884c7d659a2feaa0c55ad015:events', WAYMARK_BRAZE_URL: 'http://rest.example', WAYMARK_BRAZE_API_KEY: 'sekrit-braze-key', WAYMARK_BRAZE_APP_ID: 'a' });
    expect(prod).toContain('WAYMARK_BRAZE_URL="http://rest.example": must be https://');
    expect(problems({ WAYMARK_BRAZE_EMAIL_FROM: 'hello@example.com' })).toContain('WAYMARK_BRAZE_EMAIL_FROM');
    expect(problems({ WAYMARK_BRAZE_URL: 'rest.iad-01.braze.com' })).toContain('WAYMARK_BRAZE_URL');
  });

  it('strips a trailing slash from the URL, so endpoints join cleanly', () => {
    expect(loadConfig({}, { WAYMARK_BRAZE_URL: 'https://rest.fra-02.braze.eu/', WAYMARK_BRAZE_API_KEY: 'k', WAYMARK_BRAZE_APP_ID: 'a' }).braze.url).toBe('https://rest.fra-02.braze.eu');
  });
});
