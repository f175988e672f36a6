import { submitEvent } from '../../src/events/intake';
import { createDeps } from '../../src/runtime';
import { composeKey, consentSyncWorkflowId, customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { BrazeServer } from '../support/braze-server';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker } from '../support/harness';

const brazeSettings = (braze: BrazeServer, groups: string) => ({
  WAYMARK_BRAZE_URL: braze.url,
  WAYMARK_BRAZE_API_KEY: braze.apiKey,
  WAYMARK_BRAZE_APP_ID: 'app-1',
  WAYMARK_BRAZE_SUBSCRIPTION_GROUPS: groups,
});

/** The router on a dev server, with Braze as the channel: consent events go through it as in production. */
async function routerWorld(braze: BrazeServer, groups: string) {
  const server = await devServer(brazeSettings(braze, groups));
  const deps = createDeps(server.config);
  const worker = await startWorker(server.nativeConnection, server.config, deps);
  const running = worker.run();
  return {
    deps,
    client: server.client,
    /** Submits the event; returns it. */
    async send(type: string, customerId: string, properties: Record<string, unknown> = {}) {
      const event = makeEvent(type, customerId, Date.now(), { properties });
      await submitEvent(server.client, server.config, event);
      return event;
    },
    /**
     * The router's decisions, once it has handled the customer's `count` events: it takes events one
     * at a time, so when it accepts one more (a probe sent now) it is done with those before.
     */
    async handled(customerId: string, count: number) {
      await submitEvent(server.client, server.config, makeEvent('probe', customerId, Date.now()));
      return eventually(async () => {
        const state = await server.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery).catch(() => undefined);
        return state && state.eventsAccepted > count ? state.decisions : undefined;
      }, `the router of ${customerId} handling ${count} event(s)`);
    },
    /** Waits for the run that tells Braze the consent change of `event` (the router does not wait for it). */
    async told(customerId: string, event: { messageId: string }) {
      await server.client.workflow.getHandle(consentSyncWorkflowId(customerId, composeKey('event', event.messageId))).result();
    },
    async close() {
      worker.shutdown();
      await running;
      await deps.store.close();
      await server.close();
    },
  };
}

describe('consent events told to Braze (/subscription/status/set, dev server, loopback Braze)', () => {
  let braze: BrazeServer;
  let world: Awaited<ReturnType<typeof routerWorld>>;
  beforeAll(async () => {
    braze = await BrazeServer.start();
    world = await routerWorld(braze, 'email:grp-email,sms:grp-sms');
  });
  afterAll(async () => {
    await world?.close();
    await braze?.close();
  });

  const toldAbout = (customerId: string) => braze.on('/subscription/status/set').filter((r) => (r.body as { external_id?: unknown }).external_id === customerId);

  it("an email unsubscribe sets the email group's state to unsubscribed, once, and the profile says so", async () => {
    const customerId = `sub-email-${Date.now()}`;
    const event = await world.send('unsubscribed', customerId, { channel: 'email' });
    await world.handled(customerId, 1);
    await world.told(customerId, event);
    expect(toldAbout(customerId).map((r) => r.body)).toEqual([{ subscription_group_id: 'grp-email', subscription_state: 'unsubscribed', external_id: customerId }]);
    expect(toldAbout(customerId)[0]!.headers.authorization).toBe(`Bearer ${braze.apiKey}`);
    expect((await world.deps.profiles.get(customerId)).consent).toEqual({ email: 'unsubscribed' });
  });

  it('a subscribe without a channel sets every configured group (push has none in Braze)', async () => {
    const customerId = `sub-all-${Date.now()}`;
    const event = await world.send('subscribed', customerId);
    await world.handled(customerId, 1);
    await world.told(customerId, event);
    expect(toldAbout(customerId).map((r) => r.body)).toEqual([
      { subscription_group_id: 'grp-email', subscription_state: 'subscribed', external_id: customerId },
      { subscription_group_id: 'grp-sms', subscription_state: 'subscribed', external_id: customerId },
    ]);
  });

  it('a 500 is retried and the state set; the router records no failure', async () => {
    const customerId = `sub-retry-${Date.now()}`;
    braze.answerNext({ kind: 'server_error' });
    const event = await world.send('unsubscribed', customerId, { channel: 'sms' });
    const decisions = await world.handled(customerId, 1);
    await world.told(customerId, event);
    expect(toldAbout(customerId).map((r) => (r.body as { subscription_state: string }).subscription_state)).toEqual(['unsubscribed', 'unsubscribed']);
    expect(decisions.filter((d) => d.outcome.includes('failed') || d.outcome.includes('not updated'))).toEqual([]);
  });

  it("a 400 fails the consent run at once with Braze's reason; the router and the profile are not held up", async () => {
    const customerId = `sub-400-${Date.now()}`;
    braze.answerNext({ kind: 'rejected', message: 'Invalid subscription group', errors: ['subscription_group_id not found'] });
    const event = await world.send('unsubscribed', customerId, { channel: 'email' });
    const decisions = await world.handled(customerId, 1);
    expect(decisions.filter((d) => d.outcome.includes('failed') || d.outcome.includes('not updated'))).toEqual([]);
    const run = world.client.workflow.getHandle(consentSyncWorkflowId(customerId, composeKey('event', event.messageId)));
    const failure = await run.result().then(() => undefined, (err: unknown) => err as { cause?: { cause?: { message?: string; type?: string } } });
    expect(failure?.cause?.cause).toMatchObject({
      type: 'BRAZE_REJECTED',
      message: 'the consent change is recorded in the profile, but braze was not told: Braze /subscription/status/set rejected the request (400: Invalid subscription group; subscription_group_id not found)',
    });
    expect(toldAbout(customerId)).toHaveLength(1);
    expect((await world.deps.profiles.get(customerId)).consent).toEqual({ email: 'unsubscribed' });
  });

  it('a late retry of an unsubscribe does not undo the resubscribe that came after it', async () => {
    const customerId = `sub-order-${Date.now()}`;
    braze.answerNext({ kind: 'server_error' }, { kind: 'server_error' });
    const unsubscribe = await world.send('unsubscribed', customerId, { channel: 'email' });
    const resubscribe = await world.send('subscribed', customerId, { channel: 'email' });
    await world.handled(customerId, 2);
    await Promise.all([world.told(customerId, unsubscribe), world.told(customerId, resubscribe)]);
    // Each run's first call got a 500; each retry sends the state the profile holds then, so the
    // unsubscribe's retry never lands after the resubscribe as "unsubscribed".
    const states = toldAbout(customerId).map((r) => (r.body as { subscription_state: string }).subscription_state);
    expect(states).toHaveLength(4);
    expect(states.at(-1)).toBe('subscribed');
    expect((await world.deps.profiles.get(customerId)).consent).toEqual({ email: 'subscribed' });
  });

  it('while Braze is down, the customer\'s next events go on; the state is set once Braze answers', async () => {
    const customerId = `sub-down-${Date.now()}`;
    // Down until this test says otherwise: every call gets a 500 meanwhile, however slow the machine.
    braze.answerNext(...Array.from({ length: 1_000 }, () => ({ kind: 'server_error' as const })));
    let failedCalls: number;
    try {
      const event = await world.send('unsubscribed', customerId, { channel: 'email' });
      // The router has handled the unsubscribe and a probe after it while the consent run retries.
      const decisions = await world.handled(customerId, 1);
      expect(decisions.filter((d) => d.outcome.includes('failed') || d.outcome.includes('not updated'))).toEqual([]);
      failedCalls = await eventually(async () => toldAbout(customerId).length || undefined, 'a call to Braze while it is down');
      braze.clearScript(); // Braze is back
      await world.told(customerId, event);
    } finally {
      braze.clearScript();
    }
    expect(toldAbout(customerId).length).toBeGreaterThan(failedCalls);
  });
});

describe('consent with Braze but no subscription group configured', () => {
  it('tells Braze nothing and still records the unsubscribe', async () => {
    const braze = await BrazeServer.start();
    const world = await routerWorld(braze, '');
    try {
      const customerId = `sub-none-${Date.now()}`;
      await world.send('unsubscribed', customerId, { channel: 'email' });
      await world.handled(customerId, 1);
      expect((await world.deps.profiles.get(customerId)).consent).toEqual({ email: 'unsubscribed' });
      expect(braze.received).toEqual([]);
    } finally {
      await world.close();
      await braze.close();
    }
  });
});
