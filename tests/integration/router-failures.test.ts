import { createDeps } from '../../src/runtime';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { freePort } from '../../src/free-port';
import { submitEvent } from '../../src/events/intake';
import { customerStateQuery, customerWorkflowId, journeyWorkflowId, UNHEARD } from '../../workflows/contract';
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
          return s.eventsAccepted === 2 && s.decisions.length === 2 ? s : undefined;
        }, 'both events handled', 30_000);
      });
      // The second event (no traits, and no journey takes "seen") is said to be unheard.
      expect(state.decisions.map((d) => d.outcome)).toEqual([expect.stringMatching(/^profile not updated: .*ECONNREFUSED/), UNHEARD]);
      await server.client.workflow.getHandle(customerWorkflowId(customerId)).terminate('test done');
    } finally {
      await server.close();
    }
  });

  it('records a profile update PostgreSQL refuses (a NUL in a trait) at once, without retries, and enters onboarding on the next event', async () => {
    // The default retry policy (20 attempts, from 1s, doubling): a retried update would hold the next event for minutes.
    const server = await devServer();
    const worker = await startWorker(server.nativeConnection, server.config);
    const customerId = `refused-profile-${Date.now()}`;
    const router = server.client.workflow.getHandle(customerWorkflowId(customerId));
    try {
      const state = await worker.runUntil(async () => {
        // Straight to Temporal, as a path other than the event API could hand it over (the API refuses it).
        await submitEvent(server.client, server.config, makeEvent('seen', customerId, Date.now(), { context: { traits: { plan: 'pro', note: 'ana@example.com\u0000' } } }));
        await submitEvent(server.client, server.config, makeEvent('signed_up', customerId, Date.now()));
        return eventually(async () => {
          const s = await router.query(customerStateQuery);
          return s.journeys.onboarding ? s : undefined;
        }, 'onboarding entered on the next event', 30_000); // a retried update (1 s, doubling, 20 attempts) holds it for minutes
      });
      expect(state.decisions.map((d) => [d.type, d.outcome])).toEqual([
        ['seen', 'profile not updated: trait "note" holds a NUL character (U+0000), which PostgreSQL cannot store; the update is refused (a retry would fail the same way)'],
        ['signed_up', expect.stringMatching(/^entered \(version /)],
      ]);
      await server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId)).terminate('test done');
      await router.terminate('test done');
    } finally {
      await server.close();
    }
  });
});
