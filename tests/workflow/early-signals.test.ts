import { publishJourney } from '../../src/journey/publish';
import { routerSettings } from '../../src/settings';
import type { Config } from '../../src/config';
import type { Deps } from '../../src/runtime';
import {
  archiveSignal,
  customerStateQuery,
  customerWorkflowId,
  journeyEndedSignal,
  journeyWorkflowId,
  type CustomerRunInput,
} from '../../workflows/contract';
import { customerWorkflow } from '../../workflows/customer';
import { journeyWorkflow } from '../../workflows/journey';
import { devServer, eventually } from '../support/dev-server';
import { depsWith, makeEvent, runInput, startWorker } from '../support/harness';

const HOUR = 3_600_000;
const limits = { maxWaitMs: 365 * 24 * HOUR };

const waitingJourney = publishJourney(
  {
    id: 'waiting',
    name: 'Wait two seconds for activation',
    entry: { event: 'signed_up' },
    start: 'activation',
    steps: {
      activation: { kind: 'wait_for_event', event: 'activated', timeout: '2s', onEvent: 'done', onTimeout: 'done' },
      done: { kind: 'exit' },
    },
  },
  'waiting',
  limits,
);

/** How long a timed-out wait waits for its router here: an unanswered sync shows in its outcome well within a test. */
const SYNC_WAIT = '20s';

/**
 * Signals that arrive with a run's first workflow task (its worker was down, slow, or killed and
 * the task retried) must reach their own handlers, not the catch-all one that ignores them.
 * Each run starts on a task queue no worker polls until its signals are in (dev server: the
 * time-skipping server does not move its clock while a workflow task waits for a worker).
 */
describe("signals that come with a run's first workflow task (dev server)", () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let config: Config;
  let late: Config;
  let deps: Deps;

  beforeAll(async () => {
    server = await devServer({ WAYMARK_JOURNEY_TIMEOUT_SYNC_MAX_WAIT: SYNC_WAIT });
    config = server.config;
    late = { ...config, temporal: { ...config.temporal, journeyTaskQueue: `${config.temporal.journeyTaskQueue}-late` } };
    deps = await depsWith(config, [waitingJourney]);
  });
  afterAll(async () => {
    await deps.store.close();
    await server.close();
  });
  const now = () => Date.now();

  const routerInput = async (customerId: string): Promise<CustomerRunInput> => ({
    v: 2,
    customerId,
    settings: routerSettings(config),
    resume: {
      customerId,
      seen: [],
      eventsAccepted: 1,
      duplicatesIgnored: 0,
      decisions: [],
      journeys: { waiting: { version: waitingJourney.version, active: true, entries: 1, lastEnteredAt: new Date(now()).toISOString(), listensTo: ['activated'] } },
    },
  });

  it('the router answers a sync request that came with its first task: the timed-out wait goes on at once', async () => {
    const customerId = `early-sync-${now()}`;
    const worker = await startWorker(server.nativeConnection, config, deps);
    await worker.runUntil(async () => {
      const run = await server.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('waiting', customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [{ ...runInput(waitingJourney, config, makeEvent('signed_up', customerId, now())), notifyRouter: true }],
      });
      const router = await server.client.workflow.start(customerWorkflow, {
        workflowId: customerWorkflowId(customerId),
        taskQueue: late.temporal.journeyTaskQueue,
        args: [await routerInput(customerId)],
      });
      // The wait times out and asks the router, whose first task has not run yet.
      await eventually(async () => ((await router.fetchHistory()).events?.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'syncRequest') ? true : undefined), "the run's syncRequest in the router's history");
      const lateWorker = await startWorker(server.nativeConnection, late, deps);
      await lateWorker.runUntil(async () => {
        const state = await run.result();
        // Unanswered, it would read "timed out (the router did not answer in time)" after SYNC_WAIT.
        expect(state.path.find((p) => p.step === 'activation')?.outcome).toBe('timed out');
        await router.terminate('test done');
      });
    });
  });

  it("the router takes a journey's end that came with its first task: the membership is no longer active", async () => {
    const customerId = `early-ended-${now()}`;
    const router = await server.client.workflow.start(customerWorkflow, {
      workflowId: customerWorkflowId(customerId),
      taskQueue: late.temporal.journeyTaskQueue,
      args: [await routerInput(customerId)],
    });
    const at = new Date(now()).toISOString();
    await router.signal(journeyEndedSignal, { journeyId: 'waiting', status: 'converted', at, reason: 'goal activated reached' });
    await router.signal('event:page_viewed', makeEvent('page_viewed', customerId, now()));
    const lateWorker = await startWorker(server.nativeConnection, late, deps);
    await lateWorker.runUntil(async () => {
      const state = await eventually(async () => {
        const s = await router.query(customerStateQuery);
        return s.eventsAccepted >= 2 ? s : undefined;
      }, 'the router to handle both events');
      expect(state.journeys.waiting).toMatchObject({ active: false, lastStatus: 'converted', lastEndedAt: at });
      await router.terminate('test done');
    });
  });

  it('a journey run archived before its first task ran exits at once, saying who archived it', async () => {
    const customerId = `early-archive-${now()}`;
    const run = await server.client.workflow.start(journeyWorkflow, {
      workflowId: journeyWorkflowId('waiting', customerId),
      taskQueue: late.temporal.journeyTaskQueue,
      args: [runInput(waitingJourney, config, makeEvent('signed_up', customerId, now()))],
    });
    await run.signal(archiveSignal, { actor: 'ops@example.com', at: '2026-12-06T10:00:00.000Z' });
    const lateWorker = await startWorker(server.nativeConnection, late, deps);
    await lateWorker.runUntil(async () => {
      const state = await run.result();
      expect(state).toMatchObject({ status: 'exited', reason: 'journey archived by ops@example.com at 2026-12-06T10:00:00.000Z' });
    });
  });
});
