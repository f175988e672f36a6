import fs from 'node:fs';
import path from 'node:path';
import { submitEvent } from '../../src/events/intake';
import { freePort } from '../../src/free-port';
import { createDeps } from '../../src/runtime';
import { startOrReuseEmbedded } from '../../src/store/embedded';
import { journeyWorkflowId } from '../../workflows/contract';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker } from '../support/harness';

const OUTAGE_MS = 10_000;

describe('the store down while a customer enters (dev server, a PostgreSQL of its own stopped and started again)', () => {
  it('retries the send as an activity, says why, and sends it once when the store is back', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'outage-'));
    const port = await freePort();
    const settings = { dir, port, database: 'waymark', startTimeoutMs: 60_000, probeMs: 1_000 };
    const postgres = await startOrReuseEmbedded(settings);
    const server = await devServer({
      WAYMARK_EMBEDDED_POSTGRES_DIR: dir,
      WAYMARK_EMBEDDED_POSTGRES_PORT: String(port),
      WAYMARK_EMBEDDED_POSTGRES_DATABASE: 'waymark',
      WAYMARK_ACTIVITY_RETRY_MAX_INTERVAL: '2s',
    });
    const deps = createDeps(server.config);
    const customerId = `outage-${Date.now()}`;
    try {
      const worker = await startWorker(server.nativeConnection, server.config, deps);
      await worker.runUntil(async () => {
        await postgres.stop();
        await submitEvent(server.client, server.config, makeEvent('signed_up', customerId, Date.now()));
        // The welcome send fails while the store is down: a pending activity, retried, with the reason.
        const run = server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId));
        const pending = await eventually(async () => {
          const described = await run.describe().catch(() => undefined);
          const activity = described?.raw.pendingActivities?.find((a) => a.activityType?.name === 'deliverMessage');
          return activity && (activity.attempt ?? 0) >= 2 ? activity : undefined;
        }, 'the send retried while the store is down', OUTAGE_MS + 20_000);
        expect(pending.lastFailure?.message).toMatch(/ECONNREFUSED|connect/i);
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        await startOrReuseEmbedded(settings);
        const sent = await eventually(async () => {
          const messages = await deps.outbox.list(customerId).catch(() => []);
          return messages.length ? messages : undefined;
        }, 'the welcome email once the store is back', 60_000);
        expect(sent.map((m) => m.template)).toEqual(['onboarding-welcome']);
        await server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId)).terminate('test done');
      });
    } finally {
      await deps.store.close();
      await server.close();
      await postgres.stop();
    }
  });
});
