import path from 'node:path';
import { createDeps } from '../../src/runtime';
import { FileProfileStore } from '../../src/profiles/file-store';
import { submitEvent } from '../../src/events/intake';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { makeEvent, startWorker } from '../support/harness';
import { devServer, eventually } from '../support/dev-server';

/** A folder under a file: every write there fails with ENOTDIR, for real. */
const BROKEN_DIR = path.join('/dev/null', 'profiles');

describe('router failure paths (dev server; local activities retry on the real clock)', () => {
  it('records a profile update that failed for good, still routes that event, and handles the next ones', async () => {
    const server = await devServer({ WAYMARK_ACTIVITY_RETRY_MAX_ATTEMPTS: '2', WAYMARK_ACTIVITY_RETRY_INITIAL: '1s' });
    const deps = { ...createDeps(server.config), profiles: new FileProfileStore(BROKEN_DIR, 10, server.config.limits) };
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
      expect(state.decisions.map((d) => d.outcome)).toEqual([expect.stringMatching(/^profile not updated: .*ENOTDIR/)]);
      await server.client.workflow.getHandle(customerWorkflowId(customerId)).terminate('test done');
    } finally {
      await server.close();
    }
  });
});
