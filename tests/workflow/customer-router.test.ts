import { publishJourney } from '../../src/journey/publish';
import { routerSettings } from '../../src/settings';
import { type CustomerRunInput, customerStateQuery, customerWorkflowId, eventSignal, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { customerWorkflow } from '../../workflows/customer';
import { defaultPayloadConverter } from '@temporalio/common';
import { depsWith, makeEvent, startWorker, testConfig, useTimeSkippingEnv } from '../support/harness';

const HOUR = 3_600_000;
const limits = { maxWaitMs: 365 * 24 * HOUR };

const cooldownJourney = publishJourney(
  {
    id: 'cooldown',
    name: 'After exit, 1d cooldown',
    entry: { event: 'go' },
    reentry: { policy: 'after_exit', cooldown: '1d' },
    start: 'hello',
    steps: {
      hello: { kind: 'send', channel: 'email', template: 'hello', next: 'pause' },
      pause: { kind: 'wait', duration: '1h', next: 'done' },
      done: { kind: 'exit' },
    },
  },
  'cooldown',
  limits,
);
const restartJourney = publishJourney(
  {
    id: 'restart',
    name: 'Always re-enter',
    entry: { event: 'begin' },
    reentry: { policy: 'always' },
    start: 'first',
    steps: {
      first: { kind: 'send', channel: 'email', template: 'first', next: 'pause' },
      pause: { kind: 'wait', duration: '2d', next: 'second' },
      second: { kind: 'send', channel: 'email', template: 'second', next: 'done' },
      done: { kind: 'exit' },
    },
  },
  'restart',
  limits,
);

const performedJourney = publishJourney(
  {
    id: 'clicked',
    name: 'Branch on a performed event only',
    entry: { event: 'open' },
    start: 'pause',
    steps: {
      pause: { kind: 'wait', duration: '1h', next: 'check' },
      check: { kind: 'branch', branches: [{ when: { performed: 'clicked' }, next: 'thanks' }], default: 'reminder' },
      thanks: { kind: 'send', channel: 'email', template: 'thanks', next: 'done' },
      reminder: { kind: 'send', channel: 'email', template: 'reminder', next: 'done' },
      done: { kind: 'exit' },
    },
  },
  'clicked',
  limits,
);

describe('the customer router (time skipping)', () => {
  const server = useTimeSkippingEnv();

  async function withRouter(customerId: string, drive: (send: (type: string) => Promise<void>) => Promise<void>) {
    const config = testConfig();
    const deps = await depsWith(config, [cooldownJourney, restartJourney, performedJourney]);
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    return worker.runUntil(async () => {
      const send = async (type: string) => {
        await server.env.client.workflow.signalWithStart(customerWorkflow, {
          workflowId: customerWorkflowId(customerId),
          taskQueue: config.temporal.journeyTaskQueue,
          args: [{ v: 2, customerId, settings: routerSettings(config) }],
          signal: eventSignal,
          signalArgs: [makeEvent(type, customerId, await server.env.currentTimeMs())],
        });
        await server.env.sleep(1_000); // let the router handle it
      };
      await drive(send);
      const router = await server.env.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
      await server.env.client.workflow.getHandle(customerWorkflowId(customerId)).terminate('test done');
      return { router, messages: (await deps.outbox.list()).map((m) => m.template) };
    });
  }

  it('after_exit: not again within the cooldown after the run ended, again after it', async () => {
    const { router, messages } = await withRouter('cool-1', async (send) => {
      await send('go'); // enters; the run ends an hour later
      await send('go'); // still active: not entered
      await server.env.sleep(2 * HOUR);
      await send('go'); // ended 1h ago: within the 1d cooldown
      await server.env.sleep(24 * HOUR);
      await send('go'); // cooldown over: enters again
      await server.env.sleep(2 * HOUR);
    });
    expect(messages).toEqual(['hello', 'hello']);
    expect(router.decisions.map((d) => d.outcome)).toEqual([
      `entered (version ${cooldownJourney.version})`,
      expect.stringMatching(/^not entered: already in this journey \(since .*; policy "after_exit"\)$/),
      expect.stringMatching(/^not entered: within the 1d cooldown \(last ended .*\)$/),
      `entered (version ${cooldownJourney.version})`,
    ]);
    expect(router.journeys.cooldown).toMatchObject({ entries: 2, active: false, lastStatus: 'completed' });
  });

  it('always: a new trigger restarts the active run from the start', async () => {
    const { router, messages } = await withRouter('again-1', async (send) => {
      await send('begin');
      await server.env.sleep(HOUR);
      await send('begin'); // restarts: "first" again, under the new entry's key
      const state = await server.env.client.workflow.getHandle(journeyWorkflowId('restart', 'again-1')).query(journeyStateQuery);
      expect(state).toMatchObject({ step: 'pause', status: 'active' });
      await server.env.sleep(3 * 24 * HOUR);
    });
    expect(messages).toEqual(['first', 'first', 'second']);
    expect(router.decisions.map((d) => d.outcome)).toEqual([
      `entered (version ${restartJourney.version})`,
      `re-entered (version ${restartJourney.version}): the active run starts over`,
    ]);
    expect(router.journeys.restart).toMatchObject({ entries: 2, active: false, lastStatus: 'completed' });
  });

  it('forwards an event type that a run tests only with "performed" in a branch', async () => {
    const { router, messages } = await withRouter('perf-1', async (send) => {
      await send('open');
      await send('clicked');
      await server.env.sleep(2 * HOUR);
    });
    expect(messages).toEqual(['thanks']);
    expect(router.decisions.map((d) => d.outcome)).toEqual([`entered (version ${performedJourney.version})`, 'forwarded to the active run']);
  });

  it('a router started before version 2 moves onto today\'s code at its next event, keeping what it knew', async () => {
    const config = testConfig();
    const worker = await startWorker(server.env.nativeConnection, config, await depsWith(config, [cooldownJourney]));
    const customerId = 'upgrade-1';
    const final = await worker.runUntil(async () => {
      // The input routers had before version 2 (no "v"): the workflow runs the frozen v1 code.
      const handle = await server.env.client.workflow.start(customerWorkflow, {
        workflowId: customerWorkflowId(customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [{ customerId, settings: routerSettings(config) }],
      });
      const firstRun = (await handle.describe()).runId;
      await handle.signal(eventSignal, makeEvent('go', customerId, await server.env.currentTimeMs()));
      await server.env.sleep(2 * HOUR);
      await handle.signal(eventSignal, makeEvent('go', customerId, await server.env.currentTimeMs()));
      await server.env.sleep(HOUR);
      const state = await handle.query(customerStateQuery);
      expect((await handle.describe()).runId).not.toBe(firstRun); // continued as new, onto v2
      await handle.terminate('test done');
      return state;
    });
    expect(final.eventsAccepted).toBe(2);
    expect(final.journeys.cooldown).toMatchObject({ entries: 1, active: false, lastStatus: 'completed' });
    expect(final.decisions.map((d) => d.outcome)).toEqual([`entered (version ${cooldownJourney.version})`, expect.stringMatching(/^not entered: within the 1d cooldown/)]);
  });

  it('continues as new under a burst of events without losing one, taking the current worker settings', async () => {
    const config = testConfig({ WAYMARK_ROUTER_CONTINUE_AS_NEW_AFTER: '100' });
    const newer = routerSettings(testConfig({ WAYMARK_DEDUPE_WINDOW: '2h' }));
    const deps = { ...(await depsWith(config, [])), routerSettings: newer };
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    const customerId = 'burst-1';
    const handle = server.env.client.workflow.getHandle(customerWorkflowId(customerId));
    const burst = async (from: number, count: number) => {
      const now = await server.env.currentTimeMs();
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          server.env.client.workflow.signalWithStart(customerWorkflow, {
            workflowId: customerWorkflowId(customerId),
            taskQueue: config.temporal.journeyTaskQueue,
            args: [{ v: 2, customerId, settings: routerSettings(config) }],
            signal: eventSignal,
            signalArgs: [makeEvent('tick', customerId, now + from + i)],
          }),
        ),
      );
    };
    const accepted = async (total: number) => {
      // Until all are in, or a minute (a loaded machine) has passed: then the count says how many.
      const deadline = Date.now() + 60_000;
      let state = await handle.query(customerStateQuery);
      while (state.eventsAccepted < total && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        state = await handle.query(customerStateQuery);
      }
      return state.eventsAccepted;
    };
    await worker.runUntil(async () => {
      // The time-skipping server (unlike the dev server) may answer concurrent signal-with-starts
      // of a workflow that does not exist yet with "already started": create it first.
      await burst(0, 1);
      await burst(1, 59); // more than 100 history events: the next event makes it continue as new
      expect(await accepted(60)).toBe(60);
      await Promise.all([burst(60, 30), burst(90, 30)]); // arriving while it continues as new
      expect(await accepted(120)).toBe(120);
      const { events } = await handle.fetchHistory();
      const started = events![0]!.workflowExecutionStartedEventAttributes!;
      expect(started.continuedExecutionRunId).toBeTruthy(); // this run came from continue-as-new
      const input = defaultPayloadConverter.fromPayload<CustomerRunInput>(started.input!.payloads![0]!);
      expect(input.settings.dedupeWindowMs).toBe(2 * HOUR);
      await handle.terminate('test done');
    });
  });
});
