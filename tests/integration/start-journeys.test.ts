import { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startJourneys } from '../../activities/start-journeys';
import { createDeps, prepareStore } from '../../src/runtime';
import { composeKey, journeyWorkflowId } from '../../workflows/contract';
import { devServer } from '../support/dev-server';
import { makeEvent, publishedJourney, runInput } from '../support/harness';

/**
 * A router's workflow task that is retried (a killed or starved worker) runs its start of a
 * journey again. The run it started may have ended in between: the repeated start must give that
 * run back, not start a second one for the same entry (dev server, the real client).
 */
describe('starting journey runs for a router (dev server)', () => {
  it('a start repeated after its run has ended starts no second run; a new decision starts one', async () => {
    const server = await devServer();
    const deps = createDeps(server.config);
    try {
      await prepareStore(deps);
      const onboarding = await publishedJourney(deps, 'onboarding');
      const customerId = `second-run-${Date.now()}`;
      const input = runInput(onboarding, server.config, makeEvent('signed_up', customerId, Date.now()));
      // The activity context the worker would give (its task queue: no worker polls it, the runs only have to exist).
      const env = new MockActivityEnvironment({ taskQueue: server.config.temporal.journeyTaskQueue });
      // Eager start needs the worker's kind of connection, as the worker's own client has.
      const client = new Client({ connection: server.nativeConnection, namespace: server.config.temporal.namespace });
      const start = (key: string) => env.run(startJourneys, client, deps.versions, [input], key);
      const decision = composeKey('router-run-1', 1);

      expect(await start(decision)).toEqual(['started']);
      const run = server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId));
      // The latest run of the id, from the run itself (visibility lists lag on a busy machine).
      const latest = async () => (await run.describe()).runId;
      const first = await latest();
      await run.terminate('the run ended before the router recorded its start');
      // The router's task is retried: the same decision, the same start, and no run after the first.
      expect(await start(decision)).toEqual(['started']);
      expect(await latest()).toBe(first);
      // A later event the router decides to enter again (re-entry allowed) is another decision: a new run.
      expect(await start(composeKey('router-run-1', 2))).toEqual(['started']);
      expect(await latest()).not.toBe(first);
      await run.terminate('test done');
    } finally {
      await deps.store.close();
      await server.close();
    }
  });
});
