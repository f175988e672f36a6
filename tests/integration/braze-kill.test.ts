import type { ChildProcess } from 'node:child_process';
import { submitEvent } from '../../src/events/intake';
import { SendLedger } from '../../src/channels/ledger';
import { freePort } from '../../src/free-port';
import { Store } from '../../src/store/store';
import { journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { BrazeServer } from '../support/braze-server';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';
import { killed, startWorkerProcess } from '../support/worker-process';

describe('a worker killed between the Braze call and its record (real processes, loopback Braze)', () => {
  it('does not send again: the send is unconfirmed (probably delivered) and the run says so', async () => {
    const braze = await BrazeServer.start();
    braze.answerNext({ kind: 'slow', delayMs: 120_000 }); // the first send reaches Braze and its answer never comes back
    const server = await devServer();
    const env = {
      ...storeEnv(server.config),
      WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
      WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
      WAYMARK_PUBLISH_ON_START: 'true',
      WAYMARK_BRAZE_URL: braze.url,
      WAYMARK_BRAZE_API_KEY: braze.apiKey,
      WAYMARK_BRAZE_APP_ID: 'test-app',
      WAYMARK_BRAZE_EMAIL_FROM: 'Fieldnote <hello@fieldnote.example>',
      WAYMARK_BRAZE_TIMEOUT: '2m',
      // The killed attempt is retried on the new worker after this long.
      WAYMARK_ACTIVITY_START_TO_CLOSE: '5s',
    };
    const store = new Store(server.config);
    const workers: ChildProcess[] = [];
    const customerId = `braze-kill-${Date.now()}`;
    try {
      const first = startWorkerProcess(env);
      workers.push(first.child);
      await first.ready;
      await submitEvent(server.client, server.config, makeEvent('signed_up', customerId, Date.now(), { context: { email: 'ana@example.com' } }));
      await eventually(async () => (braze.on('/messages/send').length ? true : undefined), 'the welcome email at Braze', 60_000);
      await killed(first.child);

      // The second worker serves its metrics: the unconfirmed send is counted there.
      const metricsAddress = `127.0.0.1:${await freePort()}`;
      const second = startWorkerProcess({ ...env, WAYMARK_WORKER_METRICS_ADDRESS: metricsAddress });
      workers.push(second.child);
      await second.ready;
      const run = server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId));
      const outcome = await eventually(async () => {
        const state = await run.query(journeyStateQuery).catch(() => undefined);
        const welcome = state?.path.find((p) => p.step === 'welcome');
        return welcome?.outcome?.includes('unconfirmed') ? welcome.outcome : undefined;
      }, 'the welcome step settled on the second worker', 60_000);
      expect(outcome).toBe('sent email onboarding-welcome, unconfirmed (an attempt stopped between the provider call and the record of its answer)');
      expect(braze.on('/messages/send')).toHaveLength(1);
      const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
      expect(metrics).toMatch(/^waymark_sends\{[^}]*outcome="unconfirmed"[^}]*\} 1$/m);
      const [entry] = await new SendLedger(store).forCustomer(customerId);
      expect(entry).toMatchObject({ template: 'onboarding-welcome', state: 'unknown', attempts: 2 });
      await run.terminate('test done');
    } finally {
      await Promise.all(workers.map(killed));
      await store.close();
      await braze.close();
      await server.close();
    }
  });
});
