import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { eventually } from '../support/dev-server';
import { apiOnDevServer, KEY, routerExists } from '../support/api';

/**
 * The real Segment and RudderStack Node SDKs, pointed at the API on loopback with a Waymark key
 * as write key, start the shipped onboarding journey (entry: signed_up) and fill the profile.
 */
describe('Segment and RudderStack SDKs against the event API', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;

  beforeAll(async () => {
    api = await apiOnDevServer();
  });
  afterAll(() => api?.close());

  const id = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;
  const sentTo = async (customerId: string) => (await api.deps.outbox.list()).filter((m) => m.customerId === customerId).map((m) => m.template);
  const welcomed = (customerId: string) => eventually(async () => ((await sentTo(customerId)).length ? sentTo(customerId) : undefined), `the welcome to ${customerId}`);
  const routerState = (customerId: string, events: number) =>
    eventually(async () => {
      const state = await api.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery).catch(() => undefined);
      return state && state.eventsAccepted + state.duplicatesIgnored >= events ? state : undefined;
    }, `${events} events at ${customerId}'s router`);

  /** A Segment client that records the API's answers and the SDK's delivery errors. */
  const segment = () => {
    const analytics = new Analytics({ writeKey: KEY, host: api.url, flushAt: 20, flushInterval: 60_000, maxRetries: 2 });
    const statuses: number[] = [];
    const errors: unknown[] = [];
    analytics.on('http_response', (r) => statuses.push(r.status));
    analytics.on('error', (err) => errors.push(err));
    return { analytics, statuses, errors };
  };

  it('@segment/analytics-node: identify and track, batched, fill the profile and start onboarding', async () => {
    const userId = id('seg');
    const { analytics, statuses, errors } = segment();
    analytics.identify({ userId, traits: { email: 'ana@example.com', phone: '+14155550123', timezone: 'Europe/Paris', plan: 'pro', seats: 5 }, context: { locale: 'fr-FR' } });
    analytics.track({ userId, event: 'Signed Up', properties: { source: 'ads' } });
    await analytics.closeAndFlush({ timeout: 20_000 });
    // Both calls went in one /v1/batch request, and were accepted.
    expect({ statuses, errors }).toEqual({ statuses: [202], errors: [] });

    expect(await welcomed(userId)).toEqual(['onboarding-welcome']);
    expect(await api.deps.profiles.get(userId)).toMatchObject({
      plan: 'pro',
      seats: 5,
      contact: { email: 'ana@example.com', phone: '+14155550123', timezone: 'Europe/Paris', locale: 'fr-FR' },
    });
    expect(await api.deps.profiles.get(userId)).not.toHaveProperty('email');
  });

  it('@segment/analytics-node: after an alias, calls under the anonymous id reach the user; earlier ones stay with the visitor', async () => {
    const visitor = id('visitor');
    const userId = id('seg-alias');
    const { analytics, statuses, errors } = segment();
    analytics.page({ anonymousId: visitor, name: 'Pricing' });
    analytics.alias({ previousId: visitor, userId });
    analytics.track({ anonymousId: visitor, event: 'signed_up' });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect({ statuses, errors }).toEqual({ statuses: [202], errors: [] });

    expect(await welcomed(userId)).toEqual(['onboarding-welcome']);
    expect(await routerState(`anon:${visitor}`, 1)).toMatchObject({ eventsAccepted: 1 });
    expect(await sentTo(`anon:${visitor}`)).toEqual([]);
  });

  it('@rudderstack/rudder-sdk-node (gzip, its default): identify with both ids links them; track under the anonymous id starts onboarding', async () => {
    const visitor = id('rs-visitor');
    const userId = id('rs');
    const rudder = new RudderAnalytics(KEY, { dataPlaneUrl: api.url, flushAt: 20, flushInterval: 60_000, logLevel: 'error' });
    rudder.identify({ userId, anonymousId: visitor, traits: { email: 'bo@example.com', plan: 'team' } });
    rudder.track({ anonymousId: visitor, event: 'signed_up', properties: { source: 'docs' } });
    await rudder.flush();

    expect(await welcomed(userId)).toEqual(['onboarding-welcome']);
    expect(await api.deps.profiles.get(userId)).toMatchObject({ plan: 'team', contact: { email: 'bo@example.com' } });
    expect(await routerState(userId, 2)).toMatchObject({ eventsAccepted: 2, duplicatesIgnored: 0 });
    expect(await routerExists(api.client, `anon:${visitor}`)).toBe(false);
  });
});
