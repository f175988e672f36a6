import { createDeps } from '../../src/runtime';
import { journeyWorkflowId, journeyStateQuery, eventSignal } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';
import { makeEvent, publishedJourney, runInput, startWorker, testConfig, useTimeSkippingEnv } from '../support/harness';

const DAY = 86_400_000;

describe('onboarding journey (time skipping)', () => {
  const server = useTimeSkippingEnv();

  async function run(customerId: string, drive: (h: { signal: (type: string, offsetMs?: number) => Promise<void> }) => Promise<void>) {
    const config = testConfig();
    const deps = createDeps(config);
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    const onboarding = await publishedJourney(deps, 'onboarding');
    return worker.runUntil(async () => {
      const entryAt = await server.env.currentTimeMs();
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('onboarding', customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(onboarding, config, makeEvent('signed_up', customerId, entryAt))],
      });
      await drive({
        signal: async (type) => handle.signal(eventSignal, makeEvent(type, customerId, await server.env.currentTimeMs())),
      });
      const final = await handle.result();
      const messages = (await deps.outbox.list()).map((m) => m.template);
      return { final, messages, handle };
    });
  }

  it('nudges a customer who never activates (timeout path)', async () => {
    const { final, messages } = await run('cust-never', async () => {});
    expect(messages).toEqual(['onboarding-welcome', 'onboarding-tips', 'onboarding-nudge']);
    expect(final.status).toBe('completed');
    expect(final.path.map((p) => p.step)).toEqual(['welcome', 'first_day', 'activated_yet', 'tips', 'await_activation', 'nudge', 'done']);
    expect(final.path.find((p) => p.step === 'await_activation')?.outcome).toBe('timed out');
  });

  it('congratulates a customer who activates during the 3-day wait', async () => {
    const { final, messages } = await run('cust-later', async ({ signal }) => {
      await server.env.sleep(DAY + 3_600_000);
      await signal('activated');
    });
    expect(messages).toEqual(['onboarding-welcome', 'onboarding-tips', 'onboarding-congrats']);
    expect(final.status).toBe('completed');
    expect(final.path.find((p) => p.step === 'await_activation')?.outcome).toBe('received activated');
  });

  it('skips the tips for a customer who activated on the first day', async () => {
    const { final, messages } = await run('cust-fast', async ({ signal }) => {
      await server.env.sleep(3_600_000);
      await signal('activated');
    });
    expect(messages).toEqual(['onboarding-welcome', 'onboarding-congrats']);
    expect(final.path.map((p) => p.step)).toEqual(['welcome', 'first_day', 'activated_yet', 'congratulate', 'done']);
  });

  it('ends at once on the exit event, in the middle of a wait', async () => {
    const { final, messages } = await run('cust-gone', async ({ signal }) => {
      await server.env.sleep(2 * 3_600_000);
      await signal('account_deleted');
    });
    expect(messages).toEqual(['onboarding-welcome']);
    expect(final.status).toBe('exited');
    expect(final.reason).toBe('exit event account_deleted');
    expect(final.step).toBe('first_day');
    expect(final.path.at(-1)).toMatchObject({ step: 'first_day', outcome: 'interrupted' });
  });

  it('answers the state query while waiting', async () => {
    const config = testConfig();
    const deps = createDeps(config);
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    await worker.runUntil(async () => {
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('onboarding', 'cust-q2'),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(await publishedJourney(deps, 'onboarding'), config, makeEvent('signed_up', 'cust-q2', await server.env.currentTimeMs()))],
      });
      await server.env.sleep(60_000);
      const state = await handle.query(journeyStateQuery);
      expect(state).toMatchObject({ status: 'active', step: 'first_day', waiting: { kind: 'timer', step: 'first_day' } });
      expect(state.path.map((p) => p.step)).toEqual(['welcome', 'first_day']);
      await handle.terminate('test done');
    });
  });
});
