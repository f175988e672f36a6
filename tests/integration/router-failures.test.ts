import { createDeps } from '../../src/runtime';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { freePort } from '../../src/free-port';
import { submitEvent } from '../../src/events/intake';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { makeEvent, startWorker, unreachableStore } from '../support/harness';
import { devServer, eventually } from '../support/dev-server';

describe('router failure paths (dev server; local activities retry on the real clock)', () => {
  it('records a profile update that failed for good, still routes that event, and handles the next ones', async () => {
    const server = await devServer({ WAYMARK_ACTIVITY_RETRY_MAX_ATTEMPTS: '2', WAYMARK_ACTIVITY_RETRY_INITIAL: '1s' });
    // The profiles' store refuses every connection (nothing listens on its port): a real failure, not a mock.
    const deps = { ...createDeps(server.config), profiles: new PgProfileStore(unreachableStore(server.config, await freePort()), 10, server.config.limits) };
    const worker = await startWorker(server.nativeConnection, server.config, deps);
    const customerId = `fail-router-${Date.now()}`;
    try {
      const state = await worker.runUntil(async () => {
        await submitEvent(server.client, server.config, makeEvent('seen', customerId, Date.now(), { context: { traits: { plan: 'pro' } } }));
        await submitEvent(server.client, server.config, makeEvent('seen', customerId, Date.now()));
        const handle = server.client.workflow.getHandle(customerWorkflowId(customerId));
        return eventually(async () => {
          const s = await handle.query(customerStateQuery);
          return s.eventsAccepted === 2 ? s : undefined;
        }, 'both events handled', 30_000);
      });
      expect(state.decisions.map((d) => d.outcome)).toEqual([expect.stringMatching(/^profile not updated: .*ECONNREFUSED/)]);
      await server.client.workflow.getHandle(customerWorkflowId(customerId)).terminate('test done');
    } finally {
      await server.close();
    }
  });
});
