import { createDeps, loadCatalog } from '../../src/runtime';
import { pickPath } from '../../src/journey/split';
import { journeyWorkflowId, journeyStateQuery, eventSignal, type JourneyState, type Waiting } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';
import { makeEvent, publishedJourney, runInput, startWorker, testConfig, useTimeSkippingEnv } from '../support/harness';
import { FeatureStore } from '../../src/scoring/feature-store';
import type { Features } from '../../src/scoring/models';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];
const FULL_PATH = ['getting_started', 'until_day7', 'usage_check'];

/** Weekday and wall clock of an instant in a zone, read with Intl: e.g. "Tue 10:00". */
function wallClock(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

function expectBusinessHours(iso: string, timeZone: string): void {
  const [day, clock] = wallClock(iso, timeZone).split(' ');
  expect({ weekday: WEEKDAYS.includes(day!), clock }).toEqual({ weekday: true, clock: '10:00' });
}

describe('trial-conversion journey (time skipping)', () => {
  const server = useTimeSkippingEnv();

  /** The first customer ids (cust-0, cust-1, ...) the day-12 split sends to each path. */
  function customerOn(pathName: string): string {
    const catalog = loadCatalog(testConfig());
    const step = catalog.get('trial-conversion')!.definition.steps.offer_test!;
    if (step.kind !== 'split') throw new Error('offer_test is not a split');
    for (let i = 0; i < 1_000; i++) {
      if (pickPath(step.paths, 'trial-conversion', 'offer_test', `trial-${i}`).name === pathName) return `trial-${i}`;
    }
    throw new Error(`no customer lands on ${pathName}`);
  }

  interface Drive {
    signal: (type: string) => Promise<void>;
    query: () => Promise<JourneyState>;
    setProfile: (changes: Record<string, unknown>) => Promise<unknown>;
  }

  async function run(customerId: string, opts: { usage?: number; features?: Features; timezone?: string; drive?: (h: Drive) => Promise<void> } = {}) {
    const config = testConfig();
    const deps = createDeps(config);
    if (opts.usage !== undefined) await deps.profiles.apply(customerId, { traits: { usage_events: opts.usage } }, 'seed-usage');
    if (opts.features) await new FeatureStore(deps.store).put([{ customerId, features: opts.features, asOf: '2026-12-01' }]);
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    return worker.runUntil(async () => {
      const entryAt = await server.env.currentTimeMs();
      const entry = makeEvent('trial_started', customerId, entryAt, { context: { timezone: opts.timezone ?? 'America/New_York' } });
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('trial-conversion', customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(await publishedJourney(deps, 'trial-conversion'), config, entry)],
      });
      await opts.drive?.({
        signal: async (type) => handle.signal(eventSignal, makeEvent(type, customerId, await server.env.currentTimeMs())),
        query: () => handle.query(journeyStateQuery),
        setProfile: (changes) => deps.profiles.apply(customerId, { traits: changes }, `drive-${JSON.stringify(changes)}`),
      });
      const final = await handle.result();
      const records = await deps.outbox.list();
      return { final, entryAt, records, messages: records.map((m) => m.template), deps };
    });
  }

  it('high usage at day 7 gets power tips; the discount path gets the day-12 discount', async () => {
    const id = customerOn('discount');
    const { final, messages, records, deps } = await run(id, { usage: 12 });
    expect(messages).toEqual(['trial-day1-getting-started', 'trial-day7-power-tips', 'trial-day12-discount']);
    // The send ledger records the split path on the messages after the split, and none before it.
    const { rows } = await deps.store.query<{ template: string; variant: unknown }>('SELECT template, variant FROM send_ledger WHERE customer_id = $1 ORDER BY requested_at', [id]);
    expect(rows).toEqual([
      { template: 'trial-day1-getting-started', variant: null },
      { template: 'trial-day7-power-tips', variant: null },
      { template: 'trial-day12-discount', variant: { step: 'offer_test', path: 'discount', holdout: false } },
    ]);
    expect(records.every((r) => r.channel === 'email' && r.customerId === id)).toBe(true);
    expect(final).toMatchObject({ status: 'completed', reason: 'exit step reached', step: 'done', messagesSent: 3 });
    expect(final.path.map((p) => p.step)).toEqual([...FULL_PATH, 'power_tips', 'until_day12', 'business_hours', 'offer_test', 'offer_discount', 'done']);
    expect(final.path.find((p) => p.step === 'usage_check')?.outcome).toBe('branch 1: any(usage_events ≥ 10, score.lead ≥ 0.7) held (usage_events = 12, score.lead = missing (no features for this customer yet))');
    expect(final.path.find((p) => p.step === 'offer_test')?.outcome).toBe('path discount');
  });

  it('exactly 10 usage events counts as high usage (gte)', async () => {
    const { messages } = await run(customerOn('discount'), { usage: 10 });
    expect(messages.slice(0, 2)).toEqual(['trial-day1-getting-started', 'trial-day7-power-tips']);
  });

  it('low usage but a high lead score at day 7 gets power tips: the rules stand in while no lead model is promoted, and the path says so', async () => {
    const engaged: Features = { events_7d: 6, events_30d: 25, orders_30d: 0, revenue_30d: 0, tickets_30d: 0, days_since_active: 1 };
    const { final, messages } = await run(customerOn('discount'), { usage: 3, features: engaged });
    expect(messages.slice(0, 2)).toEqual(['trial-day1-getting-started', 'trial-day7-power-tips']);
    expect(final.path.find((p) => p.step === 'usage_check')?.outcome).toBe(
      'branch 1: any(usage_events ≥ 10, score.lead ≥ 0.7) held (usage_events = 3, score.lead = 1 (rule rules@1, standing in: local model: no lead model has been promoted yet (waymark models train lead); features of 2026-12-01))',
    );
    // A quiet prospect scores low, and gets help.
    const quiet = await run(customerOn('extension'), { usage: 3, features: { ...engaged, events_7d: 0, events_30d: 2 } });
    expect(quiet.messages[1]).toBe('trial-day7-need-help');
    expect(quiet.final.path.find((p) => p.step === 'usage_check')?.outcome).toContain('score.lead = 0.1 (rule rules@1');
  });

  it('low usage at day 7 gets help; the extension path gets the day-12 extension', async () => {
    const { final, messages } = await run(customerOn('extension'), { usage: 9 });
    expect(messages).toEqual(['trial-day1-getting-started', 'trial-day7-need-help', 'trial-day12-extension']);
    expect(final.path.find((p) => p.step === 'usage_check')?.outcome).toBe('default: any(usage_events ≥ 10, score.lead ≥ 0.7) did not hold (usage_events = 9, score.lead = missing (no features for this customer yet))');
    expect(final.path.find((p) => p.step === 'offer_test')?.outcome).toBe('path extension');
    expect(final.status).toBe('completed');
  });

  it('the holdout gets no day-12 message (and no usage attribute means low usage)', async () => {
    const { final, messages } = await run(customerOn('holdout'));
    expect(messages).toEqual(['trial-day1-getting-started', 'trial-day7-need-help']);
    expect(final).toMatchObject({ status: 'completed', reason: 'exit step reached', messagesSent: 2 });
    expect(final.path.map((p) => p.step)).toEqual([...FULL_PATH, 'need_help', 'until_day12', 'business_hours', 'offer_test', 'done']);
    expect(final.path.find((p) => p.step === 'offer_test')?.outcome).toBe('path holdout (holdout)');
  });

  it('the day-7 branch reads the profile as it is at day 7, not at entry', async () => {
    const { messages, final } = await run(customerOn('holdout'), {
      usage: 2,
      drive: async ({ setProfile, query }) => {
        await server.env.sleep(3 * DAY);
        await setProfile({ usage_events: 50 });
        expect((await query()).attributes.usage_events).toBeUndefined(); // nothing read yet: the branch reads the profile when it runs
      },
    });
    expect(messages).toEqual(['trial-day1-getting-started', 'trial-day7-power-tips']);
    expect(final.attributes.usage_events).toBe(50);
  });

  it.each(['Asia/Kolkata', 'America/Los_Angeles', 'Pacific/Auckland'])(
    'waits for 10:00 on a weekday in the customer zone (%s) before the day-12 offer',
    async (timezone) => {
      let waiting: Waiting | undefined;
      let queriedAt = 0;
      const { final, entryAt } = await run(customerOn('discount'), {
        timezone,
        drive: async ({ query }) => {
          await server.env.sleep(11 * DAY + 1_000);
          queriedAt = await server.env.currentTimeMs();
          const state = await query();
          expect(state).toMatchObject({ status: 'active', step: 'business_hours' });
          waiting = state.waiting;
        },
      });
      expect(waiting).toMatchObject({ kind: 'timer', step: 'business_hours' });
      const until = waiting!.until;
      expectBusinessHours(until, timezone);
      expect(Date.parse(until)).toBeGreaterThan(queriedAt);
      expect(Date.parse(until) - (entryAt + 11 * DAY)).toBeLessThanOrEqual(3 * DAY + 1 * HOUR);
      // the split ran when the wait ended: at that local 10:00, not before
      const offerAt = final.path.find((p) => p.step === 'offer_test')!.at;
      expect(Date.parse(offerAt)).toBeGreaterThanOrEqual(Date.parse(until));
      expect(Date.parse(offerAt) - Date.parse(until)).toBeLessThan(60_000);
      expectBusinessHours(offerAt, timezone);
      expect(final.path.find((p) => p.step === 'business_hours')?.outcome).toBe('waited');
    },
  );

  it('starting a subscription mid-wait converts at once and sends nothing more', async () => {
    const { final, messages, deps } = await run(customerOn('discount'), {
      usage: 20,
      drive: async ({ signal }) => {
        await server.env.sleep(3 * DAY);
        await signal('subscription_started');
      },
    });
    expect(final).toMatchObject({ status: 'converted', reason: 'goal converted reached', step: 'until_day7', messagesSent: 1 });
    expect(final.waiting).toBeUndefined();
    expect(final.path.map((p) => p.step)).toEqual(['getting_started', 'until_day7']);
    expect(final.path.at(-1)?.outcome).toBe('interrupted');
    expect(Date.parse(final.endedAt!) - Date.parse(final.enteredAt)).toBeLessThan(3 * DAY + HOUR);
    expect(messages).toEqual(['trial-day1-getting-started']);
    await server.env.sleep(15 * DAY);
    expect((await deps.outbox.list()).map((m) => m.template)).toEqual(['trial-day1-getting-started']);
  });

  it('a subscription during the day-12 wait also converts, after the day-7 message only', async () => {
    const { final, messages } = await run(customerOn('extension'), {
      drive: async ({ signal }) => {
        await server.env.sleep(9 * DAY);
        await signal('subscription_started');
      },
    });
    expect(final).toMatchObject({ status: 'converted', reason: 'goal converted reached', step: 'until_day12' });
    expect(messages).toEqual(['trial-day1-getting-started', 'trial-day7-need-help']);
  });
});
