import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../../src/config';
import { customerDigest } from '../../src/erasure/erase';
import { FeatureStore } from '../../src/scoring/feature-store';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { apiOnDevServer } from '../support/api';
import { runWaymark } from '../support/cli';
import { eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';

/**
 * `waymark customer erase` end to end on the shared dev server, with the real CLI in a child
 * process: a customer who entered onboarding (a running journey, a router, a profile with contact
 * fields, a sent message, a Segment-style anonymous id linked to them) is erased; Temporal and the
 * store hold nothing of them afterwards; a second erasure finds nothing; their next event starts
 * afresh. Another customer is left as they were.
 */
describe('waymark customer erase (dev server, real CLI)', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let config: Config;
  const customerId = `erase-${randomUUID()}`;
  const bystander = `keep-${randomUUID()}`;
  const EMAIL = `erase.${randomUUID().slice(0, 8)}@private.example`;

  beforeAll(async () => {
    api = await apiOnDevServer();
    config = api.config;
  });
  afterAll(() => api?.close());

  const cli = (...args: string[]) =>
    runWaymark(['customer', ...args], { WAYMARK_TEMPORAL_ADDRESS: config.temporal.address, WAYMARK_JOURNEY_TASK_QUEUE: config.temporal.journeyTaskQueue, ...storeEnv(config), WAYMARK_LOG_LEVEL: 'silent' });
  const welcomed = (id: string) =>
    eventually(async () => {
      const state = await api.client.workflow.getHandle(journeyWorkflowId('onboarding', id)).query(journeyStateQuery).catch(() => undefined);
      return state?.path.some((p) => p.step === 'welcome' && p.outcome?.startsWith('sent')) ? state : undefined;
    }, `${id}'s welcome email`);
  const exists = (workflowId: string) =>
    api.client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        () => true,
        (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)),
      );
  const rowsAbout = async (id: string) => {
    const count = async (sql: string) => Number((await api.deps.store.query<{ n: string }>(sql, [id])).rows[0]!.n);
    return {
      profiles: await count('SELECT COUNT(*) AS n FROM profiles WHERE customer_id = $1'),
      sends: await count('SELECT COUNT(*) AS n FROM send_ledger WHERE customer_id = $1'),
      messages: await count('SELECT COUNT(*) AS n FROM local_messages WHERE customer_id = $1'),
      links: await count('SELECT COUNT(*) AS n FROM identity_aliases WHERE user_id = $1'),
      features: await count('SELECT COUNT(*) AS n FROM customer_features WHERE customer_id = $1'),
      paths: await count('SELECT COUNT(*) AS n FROM journey_path WHERE customer_id = $1'),
    };
  };

  it('erases a customer from Temporal and the store, reports it, and leaves everyone else alone', async () => {
    for (const id of [customerId, bystander]) {
      expect((await api.post('/v1/events', makeEvent('signed_up', id, Date.now(), { context: { email: EMAIL, traits: { first_name: 'Ana' } } }))).status).toBe(202);
      await welcomed(id);
    }
    // As a visitor first (Segment's track with an anonymous id alone: the customer anon:<id>), then identified: the link.
    const anonymousId = `anon-${randomUUID()}`;
    const visit = await api.post('/v1/track', { event: 'Pricing Viewed', anonymousId, messageId: randomUUID(), context: { traits: { email: EMAIL } }, timestamp: new Date().toISOString() });
    expect(visit.status).toBeLessThan(300);
    await eventually(async () => ((await exists(customerWorkflowId(`anon:${anonymousId}`))) ? true : undefined), "the visitor's router");
    const linked = await api.post('/v1/identify', { userId: customerId, anonymousId, messageId: randomUUID(), traits: { plan: 'pro' }, timestamp: new Date().toISOString() });
    expect(linked.status).toBeLessThan(300);
    await eventually(async () => ((await rowsAbout(customerId)).links === 1 ? true : undefined), 'the anonymous id linked to the customer');
    // The features a batch scoring kept for them (src/scoring/feature-store.ts).
    await new FeatureStore(api.deps.store).put([{ customerId, asOf: '2026-12-01', features: { events_7d: 1, events_30d: 4, orders_30d: 0, revenue_30d: 0, tickets_30d: 0, days_since_active: 2 } }]);
    expect(await rowsAbout(customerId)).toEqual({ profiles: 1, sends: 1, messages: 1, links: 1, features: 1, paths: 1 });

    const erased = await cli('erase', customerId, '--actor', 'dpo@example.com');
    expect({ code: erased.code, stderr: erased.stderr }).toEqual({ code: 0, stderr: '' });
    expect(erased.stdout).toContain(`Customer ${customerId} erased (by dpo@example.com):`);
    expect(erased.stdout).toContain('with the 1 anonymous customer(s) linked to them');
    expect(erased.stdout).toMatch(new RegExp(`Temporal +3 run\\(s\\) deleted: customer/${customerId}, journey/onboarding/${customerId}, customer/anon:${anonymousId}`));
    expect(erased.stdout).toMatch(/store +2 profile\(s\), 1 send record\(s\), 1 local message\(s\), 1 linked anonymous id\(s\), 1 set\(s\) of model features, 0 audience membership\(s\), 1 journey enrolment\(s\) with their paths/);
    // This test's warehouse (an empty DuckDB file: no batch ran) holds nothing of them; tests/warehouse/erase.test.ts erases from a built one.
    expect(erased.stdout).toMatch(/warehouse 0 row\(s\)\n/);

    expect(await rowsAbout(customerId)).toEqual({ profiles: 0, sends: 0, messages: 0, links: 0, features: 0, paths: 0 });
    expect(await rowsAbout(`anon:${anonymousId}`)).toEqual({ profiles: 0, sends: 0, messages: 0, links: 0, features: 0, paths: 0 });
    for (const workflowId of [customerWorkflowId(customerId), journeyWorkflowId('onboarding', customerId), customerWorkflowId(`anon:${anonymousId}`)]) expect({ workflowId, exists: await exists(workflowId) }).toEqual({ workflowId, exists: false });
    // The record names no one: the id's digest, who asked, what went.
    const records = await api.deps.store.query<{ customer_digest: string; actor: string; report: unknown }>('SELECT customer_digest, actor, report FROM erasures WHERE customer_digest = $1', [customerDigest(customerId)]);
    expect(records.rows).toEqual([{ customer_digest: customerDigest(customerId), actor: 'dpo@example.com', report: { runs: 3, anonymous: 1, dataKeys: 0, store: { profiles: 2, sends: 1, messages: 1, identityLinks: 1, features: 1, audiences: 0, enrolments: 1 }, warehouse: {} } }]);
    expect(JSON.stringify(records.rows)).not.toContain(customerId);

    // The other customer is as they were.
    expect(await rowsAbout(bystander)).toEqual({ profiles: 1, sends: 1, messages: 1, links: 0, features: 0, paths: 1 });
    expect(await exists(journeyWorkflowId('onboarding', bystander))).toBe(true);
  });

  it('a second erasure finds nothing; the CLI no longer knows the customer', async () => {
    const again = await cli('erase', customerId, '--actor', 'dpo@example.com');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Customer ${customerId}: nothing left to erase (by dpo@example.com; erased 1 time(s) before):`);
    expect(again.stdout).toMatch(/Temporal +0 run\(s\) deleted\n/);
    const shown = await cli(customerId);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain(`No events have been received for customer "${customerId}".`);
  });

  it("the erased customer's next event starts afresh: a new router, an empty profile but for it, the journey from its start", async () => {
    expect((await api.post('/v1/events', makeEvent('signed_up', customerId, Date.now()))).status).toBe(202);
    const state = await welcomed(customerId);
    expect(state.journeyId).toBe('onboarding');
    const router = await api.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
    expect(router.eventsAccepted).toBe(1);
    expect(await api.deps.profiles.get(customerId)).not.toHaveProperty('contact');
  });
});
