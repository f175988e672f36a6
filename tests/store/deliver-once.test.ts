import { ApplicationFailure } from '@temporalio/common';
import { deliverInOrder, deliverOnce, SEND_REJECTED, type AttemptMemory } from '../../activities/deliver';
import { SendLedger } from '../../src/channels/ledger';
import { LocalChannel } from '../../src/channels/local';
import { ChannelError, type MessageChannel } from '../../src/channels/port';
import type { PolicySettings } from '../../src/channels/policy';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { Store } from '../../src/store/store';
import { testConfig } from '../support/harness';
import { testMessage } from '../support/messages';
import { publishContentFor } from '../support/content';
import { MessageComposer } from '../../src/templates/compose';
import { TemplateStore } from '../../src/templates/template-store';
import { sealTemplate } from '../../src/templates/validate';

const NO_POLICY: PolicySettings = { caps: [], capOverflow: 'defer', quietHours: '', defaultTimezone: 'UTC' };

const message = testMessage;

/** The real local channel, counting its calls, declared keyed or not, failing as told. */
function channel(local: LocalChannel, keyed: boolean, failWith?: () => Error): MessageChannel & { calls: number } {
  return {
    provider: 'test',
    keyed,
    calls: 0,
    async deliver(m) {
      this.calls++;
      if (failWith) throw failWith();
      return local.deliver(m);
    },
  };
}

describe('deliverOnce: the send ledger around a channel (real PostgreSQL)', () => {
  const stores: Store[] = [];
  afterAll(() => Promise.all(stores.map((s) => s.close())));
  /** A store of its own, with content for testMessage's template ("hello") and its SMS fallback ("hello-sms"). */
  const setup = async () => {
    const store = new Store(testConfig());
    stores.push(store);
    const templates = new TemplateStore(store);
    await publishContentFor(templates, [{ steps: { s: { kind: 'send', channel: 'email', template: 'hello', fallback: [{ channel: 'sms', template: 'hello-sms' }] } } }]);
    const composer = new MessageComposer(templates, store.config);
    return { store, composer, ledger: new SendLedger(store), local: new LocalChannel(store), profiles: new PgProfileStore(store, 10, { maxTraits: 10, maxTraitKeyChars: 10, maxTraitValueBytes: 100, maxProfileBytes: 1_000 }) };
  };
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as ApplicationFailure);

  it('sends a key once: a second attempt finds it sent and calls nothing', async () => {
    const { composer, ledger, local, profiles } = await setup();
    const ch = channel(local, false);
    expect((await deliverOnce(message('a'), { channel: ch, composer, ledger, profiles, policy: NO_POLICY })).firstDelivery).toBe(true);
    expect((await deliverOnce(message('a'), { channel: ch, composer, ledger, profiles, policy: NO_POLICY })).firstDelivery).toBe(false);
    expect(ch.calls).toBe(1);
  });

  it('an attempt that died after the call: a keyed channel is called again, an unkeyed one is unconfirmed and not called', async () => {
    const { composer, ledger, local, profiles } = await setup();
    await ledger.begin(message('k'), 'test', undefined, Date.now()); // an attempt that stopped between its call and the record
    const keyed = channel(local, true);
    expect((await deliverOnce(message('k'), { channel: keyed, composer, ledger, profiles, policy: NO_POLICY })).firstDelivery).toBe(true);

    await ledger.begin(message('u'), 'test', undefined, Date.now());
    const unkeyed = channel(local, false);
    const receipt = await deliverOnce(message('u'), { channel: unkeyed, composer, ledger, profiles, policy: NO_POLICY });
    expect(receipt).toMatchObject({ key: 'u', firstDelivery: true, unconfirmed: 'an attempt stopped between the provider call and the record of its answer' });
    expect(unkeyed.calls).toBe(0);
    expect(await deliverOnce(message('u'), { channel: unkeyed, composer, ledger, profiles, policy: NO_POLICY })).toMatchObject({ firstDelivery: false, unconfirmed: expect.any(String) });
    expect(unkeyed.calls).toBe(0);
    expect((await ledger.forCustomer('c-1')).find((e) => e.key === 'u')).toMatchObject({ state: 'unknown' });
  });

  it('a call that may have reached the provider (a timeout, an error the channel did not classify, a cancellation) is unconfirmed, never sent again', async () => {
    const { composer, ledger, local, profiles } = await setup();
    const errors = [new ChannelError('Braze did not answer within 10000ms', 'unknown'), new Error('socket hang up'), Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })];
    for (const [i, error] of errors.entries()) {
      const unkeyed = channel(local, false, () => error);
      const receipt = await deliverOnce(message(`m${i}`), { channel: unkeyed, composer, ledger, profiles, policy: NO_POLICY });
      expect(receipt.unconfirmed).toBe(`${error.message}; it may have been sent, so it is not sent again by itself`);
      expect(await deliverOnce(message(`m${i}`), { channel: channel(local, false), composer, ledger, profiles, policy: NO_POLICY })).toMatchObject({ firstDelivery: false });
      expect(unkeyed.calls).toBe(1);
    }
    expect((await ledger.forCustomer('c-1')).map((e) => e.state)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(await local.list('c-1')).toEqual([]);
  });

  it('a send the provider accepted whose record failed is recorded by the next attempt, from what the first one remembered, without a second call', async () => {
    const { store, composer, ledger, local, profiles } = await setup();
    const remembered = new Map<string, Parameters<AttemptMemory['remember']>[0]>();
    const memory: AttemptMemory = { accepted: (key) => remembered.get(key), remember: (r) => void remembered.set(r.key, r) };
    const ch = channel(local, false);
    // The record of "sent" fails once, as a statement timeout or a reset connection would fail it.
    await store.query(`CREATE SEQUENCE IF NOT EXISTS sent_failures`);
    await store.query(`CREATE OR REPLACE FUNCTION fail_first_sent() RETURNS trigger AS $$ BEGIN
      IF NEW.state = 'sent' AND nextval('sent_failures') = 1 THEN RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = '57014'; END IF;
      RETURN NEW; END $$ LANGUAGE plpgsql`);
    await store.query(`CREATE TRIGGER fail_first_sent BEFORE UPDATE ON send_ledger FOR EACH ROW EXECUTE FUNCTION fail_first_sent()`);
    try {
      await expect(deliverOnce(message('s'), { channel: ch, composer, ledger, profiles, policy: NO_POLICY, memory })).rejects.toThrow('statement timeout');
      const retried = await deliverOnce(message('s'), { channel: ch, composer, ledger, profiles, policy: NO_POLICY, memory });
      expect(retried).toMatchObject({ key: 's', firstDelivery: true });
      expect(retried.unconfirmed).toBeUndefined();
      expect(ch.calls).toBe(1);
      expect((await ledger.forCustomer('c-1')).find((e) => e.key === 's')).toMatchObject({ state: 'sent', attempts: 2 });
    } finally {
      await store.query('DROP TRIGGER fail_first_sent ON send_ledger');
    }
  });

  it('a refusal fails for good with the reason, and a later attempt does not call again', async () => {
    const { composer, ledger, local, profiles } = await setup();
    const ch = channel(local, false, () => new ChannelError('400: invalid email address', 'rejected'));
    expect(await failure(deliverOnce(message('r'), { channel: ch, composer, ledger, profiles, policy: NO_POLICY }))).toMatchObject({ type: SEND_REJECTED, nonRetryable: true, message: '400: invalid email address' });
    expect(await failure(deliverOnce(message('r'), { channel: ch, composer, ledger, profiles, policy: NO_POLICY }))).toMatchObject({ type: SEND_REJECTED });
    expect(ch.calls).toBe(1);
  });

  it('"not sent" is retried, after the delay the provider gave, and the retry sends', async () => {
    const { composer, ledger, local, profiles } = await setup();
    const limited = channel(local, false, () => new ChannelError('429: rate limited', 'not-sent', 7_000));
    expect(await failure(deliverOnce(message('n'), { channel: limited, composer, ledger, profiles, policy: NO_POLICY }))).toMatchObject({ type: 'SEND_NOT_SENT', nonRetryable: false, nextRetryDelay: 7_000 });
    expect((await deliverOnce(message('n'), { channel: channel(local, false), composer, ledger, profiles, policy: NO_POLICY })).firstDelivery).toBe(true);
    expect((await ledger.forCustomer('c-1')).find((e) => e.key === 'n')).toMatchObject({ state: 'sent', attempts: 2 });
  });

  describe('the contact policy, across journeys', () => {
    it('skips a channel the customer unsubscribed from, even a transactional message, and records nothing', async () => {
      const { composer, ledger, local, profiles } = await setup();
      await profiles.apply('c-1', { consent: { email: 'unsubscribed' } }, 'unsub');
      const deps = { channel: channel(local, true), composer, ledger, profiles, policy: NO_POLICY };
      expect(await deliverOnce(message('p1', { transactional: true }), deps)).toMatchObject({ skipped: 'the customer unsubscribed from email' });
      expect(await deliverOnce(message('p2', { channel: 'sms', template: 'hello-sms' }), deps)).toMatchObject({ firstDelivery: true });
      expect((await ledger.forCustomer('c-1')).map((e) => e.key)).toEqual(['p2']);
    });

    it("defers to the end of quiet hours in the customer's time zone; a transactional message goes at once", async () => {
      const { composer, ledger, local, profiles } = await setup();
      await profiles.apply('c-1', { contact: { timezone: 'Europe/Paris' } }, 'tz');
      const deps = { channel: channel(local, true), composer, ledger, profiles, policy: { ...NO_POLICY, quietHours: '21:00-08:00' } };
      // 22:30 in Paris (UTC+1 in November): held until 08:00 Paris, 07:00 UTC.
      expect(await deliverOnce(message('q1', { requestedAt: '2026-11-25T21:30:00Z' }), deps)).toMatchObject({
        deferred: { until: '2026-11-26T07:00:00.000Z', reason: 'quiet hours 21:00-08:00 in Europe/Paris' },
      });
      expect(await deliverOnce(message('q2', { transactional: true, requestedAt: '2026-11-25T21:30:00Z' }), deps)).toMatchObject({ firstDelivery: true });
      expect(await deliverOnce(message('q1', { requestedAt: '2026-11-26T07:00:00Z' }), deps)).toMatchObject({ firstDelivery: true });
    });

    it('caps a channel across journeys, from the ledger: beyond it a message is deferred until a slot frees, or dropped when config says so', async () => {
      const { composer, ledger, local, profiles } = await setup();
      const policy = { ...NO_POLICY, caps: [{ channel: 'email' as const, count: 2, windowMs: 3_600_000 }] };
      const deps = { channel: channel(local, true), composer, ledger, profiles, policy };
      await deliverOnce(message('c1', { journeyId: 'onboarding' }), deps);
      await deliverOnce(message('c2', { journeyId: 'trial' }), deps);
      const third = await deliverOnce(message('c3', { journeyId: 'churn' }), deps);
      expect(third.deferred?.reason).toBe('the email cap of 2 per 3600s (WAYMARK_FREQUENCY_CAPS)');
      expect(Date.parse(third.deferred!.until) - Date.now()).toBeGreaterThan(3_500_000);
      expect(await deliverOnce(message('c4', { transactional: true }), deps)).toMatchObject({ firstDelivery: true });
      expect(await deliverOnce(message('c5'), { ...deps, policy: { ...policy, capOverflow: 'drop' as const } })).toMatchObject({ skipped: expect.stringContaining('WAYMARK_CAP_OVERFLOW=drop') });
      expect(await deliverOnce(message('c1'), deps)).toMatchObject({ firstDelivery: false }); // a retry of a sent key is no new send
    });

    it('holds the cap when two machines send to one customer at once', async () => {
      const x = await setup();
      const y = { ...x, store: new Store(x.store.config) };
      stores.push(y.store);
      const policy = { ...NO_POLICY, caps: [{ channel: 'email' as const, count: 3, windowMs: 3_600_000 }] };
      const machines = [x, y].map((m) => ({ channel: channel(new LocalChannel(m.store), true), composer: x.composer, ledger: new SendLedger(m.store), profiles: m.profiles, policy }));
      const receipts = await Promise.all(Array.from({ length: 10 }, (_, i) => deliverOnce(message(`r${i}`), machines[i % 2]!)));
      expect(receipts.filter((r) => r.firstDelivery)).toHaveLength(3);
      expect(receipts.filter((r) => r.deferred)).toHaveLength(7);
    });

    it('holds the cap for an attempt that reaches the ledger after sends that read their clock later (a loaded machine)', async () => {
      const { composer, ledger, local, profiles } = await setup();
      const policy = { ...NO_POLICY, caps: [{ channel: 'email' as const, count: 3, windowMs: 3_600_000 }] };
      const deps = { channel: channel(local, true), composer, ledger, profiles, policy };
      const at = Date.parse('2026-12-01T10:00:00Z');
      // Three sends whose attempts read the clock a moment later and got to the ledger first...
      for (const i of [1, 2, 3]) await deliverOnce(message(`late${i}`, { requestedAt: new Date(at + 1_000).toISOString() }), deps);
      // ...then the attempt that read its clock first: the window around it holds three sends already.
      const fourth = await deliverOnce(message('late4', { requestedAt: new Date(at).toISOString() }), deps);
      expect(fourth.firstDelivery).toBe(false);
      expect(fourth.deferred?.until).toBe(new Date(at + 1_000 + 3_600_000).toISOString());
      expect((await local.list('c-1')).map((m) => m.key).sort()).toEqual(['late1', 'late2', 'late3']);
    });
  });

  describe('content', () => {
    const greeting = (subject: string) =>
      sealTemplate({ id: 'greeting', channel: 'email', variables: { traits: ['first_name'], event: ['plan'] }, subject, html: '<p>Hi {{ first_name | default: "x" }}</p>', text: 'Hi {{ first_name | default: "x" }}, plan {{ event.plan | default: "-" }}' } as never);

    it('renders the published template for the customer, with the recipient from the profile', async () => {
      const { store, composer, ledger, local, profiles } = await setup();
      await new TemplateStore(store).publish(greeting('Welcome, {{ first_name | default: "there" }}'), 'test', 'test');
      await profiles.apply('c-1', { traits: { first_name: 'Ana <3' }, contact: { email: 'ana@example.com' } }, 'p');
      await deliverOnce(message('w1', { template: 'greeting', eventProperties: { plan: 'pro' } }), { channel: local, composer, ledger, profiles, policy: NO_POLICY });
      const [sent] = await local.list('c-1');
      expect(sent).toMatchObject({
        recipient: { externalId: 'c-1', email: 'ana@example.com' },
        content: { channel: 'email', subject: 'Welcome, Ana <3', html: '<p>Hi Ana &lt;3</p>', text: 'Hi Ana <3, plan pro' },
        templateVersion: greeting('Welcome, {{ first_name | default: "there" }}').version,
      });
    });

    it('a retry renders the version its first attempt used, though a newer one was published in between', async () => {
      const { store, composer, ledger, local, profiles } = await setup();
      const templates = new TemplateStore(store);
      const first = greeting('First {{ first_name | default: "x" }}');
      await templates.publish(first, 'test', 'test');
      const flaky = channel(local, true, () => new ChannelError('503: try later', 'not-sent'));
      const deps = { channel: flaky, composer, ledger, profiles, policy: NO_POLICY };
      await failure(deliverOnce(message('w2', { template: 'greeting' }), deps));
      await templates.publish(greeting('Second {{ first_name | default: "x" }}'), 'test', 'test');
      await deliverOnce(message('w2', { template: 'greeting' }), { ...deps, channel: local });
      expect((await local.list('c-1')).map((m) => [m.templateVersion, m.content?.channel === 'email' && m.content.subject])).toEqual([[first.version, 'First x']]);
    });

    it('a template this customer cannot fill fails for good, saying which variable; so does an unpublished one, and nothing is sent', async () => {
      const { store, composer, ledger, local, profiles } = await setup();
      await new TemplateStore(store).publish(greeting('Hello {{ first_name }}'), 'test', 'test');
      const deps = { channel: local, composer, ledger, profiles, policy: NO_POLICY };
      const err = await failure(deliverOnce(message('w3', { template: 'greeting' }), deps));
      expect(err).toMatchObject({ type: 'TEMPLATE_RENDER', nonRetryable: true });
      expect(err?.message).toContain('first_name');
      const missing = await failure(deliverOnce(message('w4', { template: 'nowhere' }), deps));
      expect(missing).toMatchObject({ type: 'SEND_NO_CONTENT', nonRetryable: true, message: 'no content to send: template "nowhere" is not published (\'waymark templates publish\')' });
      expect(await local.list('c-1')).toEqual([]);
      expect((await ledger.forCustomer('c-1')).map((s) => [s.template, s.state])).toEqual(expect.arrayContaining([['nowhere', 'failed']]));
    });
  });
  it('a step with a fallback keeps the channel an earlier attempt reached: a consent change since adds no message on another channel', async () => {
    const { composer, ledger, local, profiles } = await setup();
    const ch = channel(local, true);
    const deps = { channel: ch, composer, ledger, profiles, policy: NO_POLICY };
    const step = message('fb', { fallback: [{ channel: 'sms', template: 'hello-sms' }] });
    const reachable = { contact: { email: 'c1@example.com', phone: '+14155550123' } };
    // An attempt recorded its intent for the email and died before the record of the outcome (it may have sent).
    await ledger.begin({ ...step, attributes: reachable }, 'test', undefined, Date.now());
    // Then the customer unsubscribed from email; the retry must not turn to SMS.
    const now = { ...reachable, consent: { email: 'unsubscribed' as const } };
    const receipt = await deliverInOrder({ ...step, attributes: now }, deps);
    expect(receipt.skipped).toBe('the customer unsubscribed from email');
    expect(ch.calls).toBe(0);
    expect((await ledger.forCustomer('c-1')).filter((e) => e.key.includes('fb')).map((e) => e.template)).toEqual(['hello']);

    // Without an earlier attempt, the same profile falls back to SMS.
    const fresh = await deliverInOrder({ ...message('fb2', { fallback: [{ channel: 'sms', template: 'hello-sms' }] }), attributes: now }, deps);
    expect(fresh).toMatchObject({ channel: 'sms', template: 'hello-sms', firstDelivery: true });
  });
});
