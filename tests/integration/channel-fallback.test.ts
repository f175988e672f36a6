import { deliverInOrder } from '../../activities/deliver';
import { submitEvent } from '../../src/events/intake';
import { fallbackKey } from '../../src/channels/fallback';
import { JourneySchema } from '../../src/journey/schema';
import type { ProfileView } from '../../src/profiles/port';
import { createDeps, type Deps } from '../../src/runtime';
import { templateRefProblems } from '../../src/templates/catalog';
import { journeyWorkflowId } from '../../workflows/contract';
import type { journeyWorkflow } from '../../workflows/journey';
import { journeysDir } from '../support/api';
import { BrazeServer } from '../support/braze-server';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker, testConfig } from '../support/harness';
import { testMessage } from '../support/messages';

/** Step `first` sends one email; step `ask` sends email, falling back to SMS. */
const fallbackJourney = {
  id: 'fallback-test',
  name: 'Fallback test',
  entry: { event: 'fallback_go' },
  start: 'first',
  steps: {
    first: { kind: 'send', channel: 'email', template: 'fb-first', next: 'ask' },
    ask: { kind: 'send', channel: 'email', template: 'fb-email', fallback: [{ channel: 'sms', template: 'fb-sms' }], next: 'end' },
    end: { kind: 'exit' },
  },
};
const TEMPLATES = {
  'fb-first.yaml': 'id: fb-first\nchannel: email\nsubject: First\nhtml: <p>First</p>\ntext: First\n',
  'fb-email.yaml': 'id: fb-email\nchannel: email\nsubject: By email\nhtml: <p>By email</p>\ntext: By email\n',
  'fb-sms.yaml': 'id: fb-sms\nchannel: sms\ntext: "By SMS, {{ customer.id }}"\n',
};

/** The journey with its templates, in a folder the worker publishes on start. */
function journeyFolder(): string {
  return journeysDir([fallbackJourney], TEMPLATES);
}

const BRAZE_SETTINGS = (braze: BrazeServer) => ({
  WAYMARK_BRAZE_URL: braze.url,
  WAYMARK_BRAZE_API_KEY: braze.apiKey,
  WAYMARK_BRAZE_APP_ID: 'app-1',
  WAYMARK_BRAZE_EMAIL_FROM: 'Waymark <hello@example.com>',
  WAYMARK_BRAZE_SMS_SUBSCRIPTION_GROUP: 'sms-group-1',
});

/**
 * A dev server and a worker for the fallback journey; `run(customerId, entry)` submits the entry
 * event and returns the ask step's outcome; `applied(event, check)` submits an event and waits
 * until the customer's profile shows it (`check`), as a later entry will read it.
 */
async function fallbackWorld(overrides: Record<string, string> = {}) {
  const server = await devServer({ WAYMARK_JOURNEYS_DIR: journeyFolder(), ...overrides });
  const deps = createDeps(server.config);
  const worker = await startWorker(server.nativeConnection, server.config, deps);
  const running = worker.run();
  return {
    server,
    deps,
    async applied(event: Parameters<typeof makeEvent>, check: (profile: ProfileView) => boolean) {
      await submitEvent(server.client, server.config, makeEvent(...event));
      await eventually(async () => (check(await deps.profiles.get(event[1])) ? true : undefined), `the ${event[0]} event on ${event[1]}'s profile`, 60_000);
    },
    async run(customerId: string, entry: Parameters<typeof makeEvent>) {
      await submitEvent(server.client, server.config, makeEvent(...entry));
      const handle = server.client.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId('fallback-test', customerId));
      await eventually(() => handle.describe().then(() => true, () => undefined), `${customerId}'s run`);
      const state = await handle.result();
      return state.path.find((p) => p.step === 'ask')!.outcome;
    },
    async close() {
      worker.shutdown();
      await running;
      await deps.store.close();
      await server.close();
    },
  };
}

/** The ask step's messages in the outbox, each with the address of its channel. */
const sent = async (deps: Deps, customerId: string) =>
  (await deps.outbox.list(customerId)).filter((m) => m.stepId === 'ask').map((m) => `${m.channel} ${m.template} to ${(m.channel === 'sms' ? m.recipient.phone : m.recipient.email) ?? 'nobody'}`);

describe('channel fallback on a real run (dev server, local channel)', () => {
  let world: Awaited<ReturnType<typeof fallbackWorld>>;
  beforeAll(async () => {
    world = await fallbackWorld();
  });
  afterAll(() => world?.close());

  it('sends the SMS when the customer unsubscribed from email, under the SMS key', async () => {
    const customerId = `fb-unsub-${Date.now()}`;
    const contact = { context: { email: 'ana@example.com', phone: '+14155550123' } };
    await world.applied(['unsubscribed', customerId, Date.now(), { ...contact, properties: { channel: 'email' } }], (profile) => profile.consent?.email === 'unsubscribed');
    const outcome = await world.run(customerId, ['fallback_go', customerId, Date.now(), contact]);
    expect(outcome).toBe('sent sms fb-sms instead of email fb-email (the customer unsubscribed from email)');
    expect(await sent(world.deps, customerId)).toEqual(['sms fb-sms to +14155550123']);
    const [message] = (await world.deps.outbox.list(customerId)).filter((m) => m.stepId === 'ask');
    expect(message?.content).toEqual({ channel: 'sms', text: `By SMS, ${customerId}` });
    const ledger = await world.deps.ledger.forCustomer(customerId);
    expect(ledger.map((e) => e.template)).toEqual(['fb-sms']); // the unsubscribed emails were never an intent, not even fb-first's
    // The SMS went under the fallback key of the step's own key.
    const [kind, stepKey, channel] = JSON.parse(message!.key) as [string, string, string];
    expect([kind, channel, ledger[0]!.key]).toEqual(['fallback', 'sms', message!.key]);
    expect(JSON.parse(stepKey)).toEqual(['send', 'fallback-test', customerId, expect.any(String), 'ask', 1]);
  });

  it('sends the SMS when the profile has no email address, and nothing when it has no address at all', async () => {
    const phoneOnly = `fb-phone-${Date.now()}`;
    expect(await world.run(phoneOnly, ['fallback_go', phoneOnly, Date.now(), { context: { phone: '+14155550124' } }])).toBe('sent sms fb-sms instead of email fb-email (no email address on the profile)');
    expect(await sent(world.deps, phoneOnly)).toEqual(['sms fb-sms to +14155550124']);

    const nobody = `fb-none-${Date.now()}`;
    expect(await world.run(nobody, ['fallback_go', nobody, Date.now()])).toBe(
      'not sent email fb-email: no channel can reach the customer: email fb-email (no email address on the profile); sms fb-sms (no phone number on the profile)',
    );
    expect(await sent(world.deps, nobody)).toEqual([]);
  });

  it('sends the email itself when it can reach the customer', async () => {
    const customerId = `fb-email-${Date.now()}`;
    expect(await world.run(customerId, ['fallback_go', customerId, Date.now(), { context: { email: 'bo@example.com', phone: '+14155550125' } }])).toBe('sent email fb-email');
    expect(await sent(world.deps, customerId)).toEqual(['email fb-email to bo@example.com']);
  });
});

describe('a held email does not fall back (deferrals are no reason)', () => {
  it('a capped email waits for the cap and goes out as email, not as SMS', async () => {
    const world = await fallbackWorld({ WAYMARK_FREQUENCY_CAPS: 'email:1/3s' });
    try {
      const customerId = `fb-capped-${Date.now()}`;
      const outcome = await world.run(customerId, ['fallback_go', customerId, Date.now(), { context: { email: 'cy@example.com', phone: '+14155550126' } }]);
      expect(outcome).toMatch(/^sent email fb-email \(held until .*: the email cap of 1 per 3s \(WAYMARK_FREQUENCY_CAPS\)\)$/);
      expect(await sent(world.deps, customerId)).toEqual(['email fb-email to cy@example.com']);
    } finally {
      await world.close();
    }
  });

  it("quiet hours hold the email until they end; the SMS is not tried (the activity's answer, real PostgreSQL)", async () => {
    const deps = createDeps(testConfig());
    try {
      const customerId = `fb-quiet-${Date.now()}`;
      await deps.profiles.apply(customerId, { contact: { email: 'di@example.com', phone: '+14155550127', timezone: 'Europe/Paris' } }, 'contact');
      const message = testMessage('quiet-1', { customerId, template: 'fb-email', fallback: [{ channel: 'sms', template: 'fb-sms' }], requestedAt: '2026-11-25T21:30:00Z' });
      const receipt = await deliverInOrder(message, { ...deps, policy: { ...deps.policy, quietHours: '21:00-08:00' } });
      expect(receipt).toMatchObject({ channel: 'email', template: 'fb-email', deferred: { until: '2026-11-26T07:00:00.000Z', reason: 'quiet hours 21:00-08:00 in Europe/Paris' } });
      expect(receipt.insteadOf).toBeUndefined();
      expect(await deps.ledger.forCustomer(customerId)).toEqual([]);
    } finally {
      await deps.store.close();
    }
  });
});

describe('channel fallback through Braze (dev server, loopback Braze)', () => {
  let braze: BrazeServer;
  let world: Awaited<ReturnType<typeof fallbackWorld>>;
  beforeAll(async () => {
    braze = await BrazeServer.start();
    world = await fallbackWorld(BRAZE_SETTINGS(braze));
  });
  afterAll(async () => {
    await world?.close();
    await braze?.close();
  });

  const callsFor = (customerId: string, channel: 'email' | 'sms') =>
    braze.on('/messages/send').filter((r) => JSON.stringify(r.body).includes(customerId) && (r.body as { messages: Record<string, unknown> }).messages[channel] !== undefined);

  it('sends the SMS when Braze rejects the email as an invalid address (400)', async () => {
    const customerId = `fb-braze-400-${Date.now()}`;
    braze.answerNext({ kind: 'success' }, { kind: 'rejected', message: 'Invalid email address', errors: ['email is not a valid address'] });
    const outcome = await world.run(customerId, ['fallback_go', customerId, Date.now(), { context: { email: 'not-deliverable@example.com', phone: '+14155550128' } }]);
    expect(outcome).toBe('sent sms fb-sms instead of email fb-email (Braze /messages/send rejected the request (400: Invalid email address; email is not a valid address))');
    expect(callsFor(customerId, 'email')).toHaveLength(2); // fb-first, then the rejected fb-email
    const [sms] = callsFor(customerId, 'sms');
    expect(sms?.body).toMatchObject({ external_user_ids: [customerId], messages: { sms: { subscription_group_id: 'sms-group-1', body: `By SMS, ${customerId}` } } });
    const ledger = await world.deps.ledger.forCustomer(customerId);
    expect(ledger.map((e) => [e.template, e.state])).toEqual([
      ['fb-first', 'sent'],
      ['fb-email', 'failed'],
      ['fb-sms', 'sent'],
    ]);
  });

  it('sends each channel once across a retried activity: the refused email is not called again, the SMS goes out once', async () => {
    const customerId = `fb-braze-retry-${Date.now()}`;
    // fb-first; fb-email refused; fb-sms fails with a 500 (the activity is retried); then the SMS succeeds.
    braze.answerNext({ kind: 'success' }, { kind: 'rejected', message: 'Invalid email address' }, { kind: 'server_error' });
    const outcome = await world.run(customerId, ['fallback_go', customerId, Date.now(), { context: { email: 'bounced@example.com', phone: '+14155550129' } }]);
    expect(outcome).toBe('sent sms fb-sms instead of email fb-email (Braze /messages/send rejected the request (400: Invalid email address))');
    expect(callsFor(customerId, 'email')).toHaveLength(2);
    expect(callsFor(customerId, 'sms')).toHaveLength(2); // the 500, then the one sent
    // The retry reads the email's refusal from the ledger and passes over it without a new attempt.
    const ledger = await world.deps.ledger.forCustomer(customerId);
    expect(ledger.map((e) => [e.template, e.state, e.attempts])).toEqual([
      ['fb-first', 'sent', 1],
      ['fb-email', 'failed', 1],
      ['fb-sms', 'sent', 2],
    ]);
  });
});

describe('every channel refused (dev server, loopback Braze)', () => {
  it('fails the step for good, with each channel and its reason', async () => {
    const braze = await BrazeServer.start();
    const world = await fallbackWorld(BRAZE_SETTINGS(braze));
    try {
      const customerId = `fb-braze-all-${Date.now()}`;
      braze.answerNext({ kind: 'success' }, { kind: 'rejected', message: 'Invalid email address' }, { kind: 'rejected', message: 'Invalid phone number' });
      const outcome = await world.run(customerId, ['fallback_go', customerId, Date.now(), { context: { email: 'gone@example.com', phone: '+14155550130' } }]);
      expect(outcome).toBe(
        'sending email fb-email failed: no channel of the step reached the customer: email fb-email (Braze /messages/send rejected the request (400: Invalid email address)); sms fb-sms (Braze /messages/send rejected the request (400: Invalid phone number))',
      );
      expect(braze.on('/messages/send')).toHaveLength(3); // fb-first, then each refusal once: no retry
    } finally {
      await world.close();
      await braze.close();
    }
  });
});

describe('a Braze answer that never comes (dev server, loopback Braze)', () => {
  it('records the outcome unknown and sends nothing again: one call, the step failed for good, the run goes on', async () => {
    const braze = await BrazeServer.start();
    const world = await fallbackWorld({ ...BRAZE_SETTINGS(braze), WAYMARK_BRAZE_TIMEOUT: '1s' });
    try {
      const customerId = `fb-braze-slow-${Date.now()}`;
      braze.answerNext({ kind: 'slow', delayMs: 5_000 });
      const outcome = await world.run(customerId, ['fallback_go', customerId, Date.now(), { context: { email: 'slow@example.com', phone: '+14155550131' } }]);
      expect(outcome).toBe('sent email fb-email');
      const ledger = await world.deps.ledger.forCustomer(customerId);
      expect(ledger.map((e) => [e.template, e.state])).toEqual([
        ['fb-first', 'unknown'],
        ['fb-email', 'sent'],
      ]);
      const firstCalls = braze.on('/messages/send').filter((r) => JSON.stringify(r.body).includes('First') && JSON.stringify(r.body).includes(customerId));
      expect(firstCalls).toHaveLength(1);
    } finally {
      await world.close();
      await braze.close();
    }
  });
});

describe('the fallback in journey definitions', () => {
  it('refuses a channel listed twice, and checks each fallback template against its channel', () => {
    const twice = JourneySchema.safeParse({ ...fallbackJourney, steps: { ...fallbackJourney.steps, ask: { ...fallbackJourney.steps.ask, fallback: [{ channel: 'email', template: 'fb-sms' }] } } });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues[0]).toMatchObject({ path: ['steps', 'ask', 'fallback', 0, 'channel'], message: 'email is tried already: a channel may appear once in a send step and its fallback' });

    const journey = JourneySchema.parse(fallbackJourney);
    const channels = new Map([
      ['fb-first', 'email'],
      ['fb-email', 'email'],
      ['fb-sms', 'email'],
    ] as const);
    expect(templateRefProblems([journey], channels, 'report').map((p) => p.message)).toEqual([
      'journey "fallback-test" step "ask" falls back to sms template "fb-sms", which is for the email channel; change the fallback channel or use a sms template',
    ]);
  });

  it('gives each fallback channel a send key of its own that no step key can have', () => {
    const stepKey = '["send","j","c","m","ask",1]';
    expect(fallbackKey(stepKey, 'sms')).not.toBe(stepKey);
    expect(fallbackKey(stepKey, 'sms')).not.toBe(fallbackKey(stepKey, 'push'));
    // A key holding the separator's characters still maps to its own fallback key.
    expect(fallbackKey('a","sms', 'push')).not.toBe(fallbackKey('a', 'sms'));
  });
});
