import { entriesFor } from '../../src/journey/entries';
import { createDeps, loadCatalog } from '../../src/runtime';
import { journeyWorkflowId, journeyStateQuery, eventSignal, type JourneyState } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';
import type { CustomerEvent } from '../../src/events/schema';
import { makeEvent, publishedJourney, runInput, startWorker, testConfig, useTimeSkippingEnv } from '../support/harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('churn-prevention journey (time skipping)', () => {
  const server = useTimeSkippingEnv();

  interface Drive {
    /** Sends an event timestamped now, or at `atMs` (earlier: an event that arrives late). */
    signal: (type: string, atMs?: number) => Promise<void>;
    query: () => Promise<JourneyState>;
  }

  async function run(customerId: string, opts: { plan?: string; drive?: (h: Drive) => Promise<void> } = {}) {
    const config = testConfig();
    const deps = createDeps(config);
    if (opts.plan) await deps.profiles.apply(customerId, { traits: { plan: opts.plan } }, 'seed-plan');
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    return worker.runUntil(async () => {
      const entryAt = await server.env.currentTimeMs();
      const entry = makeEvent('health_at_risk', customerId, entryAt, { properties: { score: 22 } });
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('churn-prevention', customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(await publishedJourney(deps, 'churn-prevention'), config, entry)],
      });
      await opts.drive?.({
        signal: async (type, atMs) => handle.signal(eventSignal, makeEvent(type, customerId, atMs ?? (await server.env.currentTimeMs()))),
        query: () => handle.query(journeyStateQuery),
      });
      const final = await handle.result();
      const records = await deps.outbox.list();
      return { final, records, messages: records.map((m) => m.template), profile: await deps.profiles.get(customerId) };
    });
  }

  it('enters on health_at_risk with a score under 40, or on churn_risk_high, and on nothing else', async () => {
    const catalog = loadCatalog(testConfig());
    const entering = async (event: CustomerEvent) => entriesFor(catalog.all(), event).entered.map((j) => j.journeyId);
    const at = Date.now();
    expect(await entering(makeEvent('health_at_risk', 'c1', at, { properties: { score: 22 } }))).toEqual(['churn-prevention']);
    expect(await entering(makeEvent('health_at_risk', 'c1', at, { properties: { score: 39.5 } }))).toEqual(['churn-prevention']);
    expect(await entering(makeEvent('health_at_risk', 'c1', at, { properties: { score: 40 } }))).toEqual([]);
    expect(await entering(makeEvent('health_at_risk', 'c1', at, { properties: { score: '12' } }))).toEqual([]);
    expect(await entering(makeEvent('health_at_risk', 'c1', at))).toEqual([]);
    expect(await entering(makeEvent('churn_risk_detected', 'c1', at, { properties: { score: 22 } }))).toEqual([]);
    expect(await entering(makeEvent('churn_risk_high', 'c1', at, { properties: { score: 0.82, model_version: 'churn@2' } }))).toEqual(['churn-prevention']);
    // The refusal names the filter that kept the customer out.
    expect(entriesFor(catalog.all(), makeEvent('health_at_risk', 'c1', at, { properties: { score: 40 } })).refused).toEqual([
      { journeyId: 'churn-prevention', why: 'the entry filter event.score < 40 did not hold (event.score = 40)' },
    ]);
  });

  it('a customer who comes back within 7 days is marked retained and gets only the win-back offer', async () => {
    const { final, messages, records, profile } = await run('churn-engaged', {
      plan: 'pro',
      drive: async ({ signal }) => {
        await server.env.sleep(2 * DAY);
        await signal('session_started');
      },
    });
    expect(messages).toEqual(['churn-winback-offer']);
    expect(records[0]).toMatchObject({ channel: 'email', stepId: 'winback_offer', customerId: 'churn-engaged' });
    expect(profile).toEqual({ plan: 'pro', churn_status: 'retained' });
    expect(final).toMatchObject({ status: 'completed', reason: 'exit step reached', messagesSent: 1 });
    expect(final.attributes.churn_status).toBe('retained');
    expect(final.path.map((p) => p.step)).toEqual(['winback_offer', 'await_engagement', 'mark_retained', 'done']);
    expect(final.path[1]?.outcome).toBe('received session_started');
    expect(Date.parse(final.endedAt!) - Date.parse(final.enteredAt)).toBeLessThan(2 * DAY + HOUR);
  });

  it.each([
    ['pro', 'churn-account-manager', 'email', 'account_manager_call'],
    ['enterprise', 'churn-account-manager', 'email', 'account_manager_call'],
    ['free', 'churn-last-chance', 'push', 'last_chance'],
    [undefined, 'churn-last-chance', 'push', 'last_chance'],
  ])('no session in 7 days, plan %s: escalates with %s (%s)', async (plan, template, channel, step) => {
    const { final, records, profile } = await run(`churn-timeout-${plan ?? 'none'}`, { plan });
    expect(records.map((r) => [r.template, r.channel])).toEqual([
      ['churn-winback-offer', 'email'],
      [template, channel],
    ]);
    expect(profile.churn_status).toBe('escalated');
    expect(final).toMatchObject({ status: 'completed', reason: 'exit step reached', messagesSent: 2 });
    expect(final.path.map((p) => p.step)).toEqual(['winback_offer', 'await_engagement', 'escalate', step, 'mark_escalated', 'done']);
    expect(final.path[1]?.outcome).toBe('timed out');
    const escalatedAt = Date.parse(final.path[2]!.at) - Date.parse(final.enteredAt);
    expect(escalatedAt).toBeGreaterThanOrEqual(7 * DAY);
    expect(escalatedAt).toBeLessThan(7 * DAY + HOUR);
  });

  it('a session after the 7 days are over comes too late', async () => {
    const { messages } = await run('churn-slow', {
      plan: 'free',
      drive: async ({ signal }) => {
        await server.env.sleep(7 * DAY + HOUR);
        await signal('session_started').catch(() => undefined); // the run has closed: the signal is refused
      },
    });
    expect(messages).toEqual(['churn-winback-offer', 'churn-last-chance']);
  });

  it('cancelling the subscription mid-wait exits at once', async () => {
    const { final, messages, profile } = await run('churn-cancelled', {
      plan: 'pro',
      drive: async ({ signal }) => {
        await server.env.sleep(3 * DAY);
        await signal('subscription_cancelled');
      },
    });
    expect(final).toMatchObject({ status: 'exited', reason: 'exit event subscription_cancelled', step: 'await_engagement' });
    expect(final.path.at(-1)).toMatchObject({ step: 'await_engagement', outcome: 'interrupted' });
    expect(messages).toEqual(['churn-winback-offer']);
    expect(profile.churn_status).toBeUndefined();
  });

  it('a session that happened before the run entered does not count: the run still times out', async () => {
    let during: JourneyState | undefined;
    const { final, messages, profile } = await run('churn-late', {
      plan: 'free',
      drive: async ({ signal, query }) => {
        await server.env.sleep(HOUR);
        await signal('session_started', Date.parse((await query()).enteredAt) - HOUR); // happened an hour before entry
        during = await query();
      },
    });
    expect(during).toMatchObject({ status: 'active', step: 'await_engagement', lateEvents: 1, buffered: [] });
    expect(during!.performed.session_started).toBeUndefined();
    expect(final.lateEvents).toBe(1);
    expect(final.path[1]?.outcome).toBe('timed out');
    expect(messages).toEqual(['churn-winback-offer', 'churn-last-chance']);
    expect(profile.churn_status).toBe('escalated');
  });

  it('a session timestamped exactly at entry counts', async () => {
    const { messages, final } = await run('churn-same-instant', {
      drive: async ({ signal, query }) => {
        await server.env.sleep(HOUR);
        await signal('session_started', Date.parse((await query()).enteredAt));
      },
    });
    expect(final.lateEvents).toBe(0);
    expect(messages).toEqual(['churn-winback-offer']);
    expect(final.attributes.churn_status).toBe('retained');
  });
});
