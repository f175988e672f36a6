import { createDeps } from '../../src/runtime';
import { LocalChannel } from '../../src/channels/local';
import { freePort } from '../../src/free-port';
import { publishJourney } from '../../src/journey/publish';
import { journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';
import { depsWith, makeEvent, publishedJourney, runInput, startWorker, testConfig, unreachableStore, useTimeSkippingEnv } from '../support/harness';

const fastFailing = { WAYMARK_ACTIVITY_RETRY_MAX_ATTEMPTS: '2', WAYMARK_ACTIVITY_RETRY_INITIAL: '1s' };

describe('failure paths (time skipping)', () => {
  const server = useTimeSkippingEnv();

  it('a send that fails for good is written on the path and the journey goes on', async () => {
    const config = testConfig(fastFailing);
    // The ledger works; the channel's own store refuses every connection: a real failure, not a mock.
    const deps = { ...createDeps(config), channel: new LocalChannel(unreachableStore(config, await freePort())) };
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    const final = await worker.runUntil(async () => {
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('onboarding', 'fail-send'),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(await publishedJourney(deps, 'onboarding'), config, makeEvent('signed_up', 'fail-send', await server.env.currentTimeMs()))],
      });
      return handle.result();
    });
    expect(final.status).toBe('completed');
    expect(final.messagesSent).toBe(0);
    expect(final.failures).toBe(3);
    expect(final.path.filter((p) => p.kind === 'send').map((p) => p.outcome)).toEqual([
      expect.stringMatching(/^sending email onboarding-welcome failed: .*ECONNREFUSED/),
      expect.stringMatching(/^sending email onboarding-tips failed: /),
      expect.stringMatching(/^sending email onboarding-nudge failed: /),
    ]);
  });

  it('an unknown time zone falls back to the default instead of failing the run', async () => {
    const config = testConfig({ WAYMARK_DEFAULT_TIMEZONE: 'Asia/Tokyo' });
    const journey = publishJourney(
      {
        id: 'tz',
        name: 'tz',
        entry: { event: 'go' },
        start: 'morning',
        steps: { morning: { kind: 'wait', until: { time: '09:30' }, next: 'done' }, done: { kind: 'exit' } },
      },
      'tz',
      { maxWaitMs: config.journeys.maxWaitMs },
    );
    const deps = await depsWith(config, [journey]);
    const worker = await startWorker(server.env.nativeConnection, config, deps);
    await worker.runUntil(async () => {
      const entry = makeEvent('go', 'tz-1', await server.env.currentTimeMs(), { context: { traits: { timezone: 'Mars/Olympus_Mons' } } });
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId('tz', 'tz-1'),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(journey, config, entry)],
      });
      await server.env.sleep(1_000);
      const state = await handle.query(journeyStateQuery);
      const until = new Date(state.waiting!.until);
      const tokyo = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(until);
      expect(tokyo).toBe('09:30');
      await handle.terminate('test done');
    });
  });
});
