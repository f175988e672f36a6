import { randomUUID } from 'node:crypto';
import { submitEvent } from '../../src/events/intake';
import { SendLedger } from '../../src/channels/ledger';
import { Store } from '../../src/store/store';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { BrazeServer } from '../support/braze-server';
import { runWaymark } from '../support/cli';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';
import { killed, startWorkerProcess } from '../support/worker-process';

const EMAIL = 'ana.private@example.com';

/** What a worker process logs, stores and shows when a failure's text would quote personal data or a secret (real processes, real PostgreSQL). */
describe('worker failures quote no personal data and no secret', () => {
  /** A worker process on a task queue of its own, on the shared dev server and the test run's PostgreSQL. */
  async function workerOn(extra: Record<string, string> = {}) {
    const server = await devServer();
    const env = {
      ...storeEnv(server.config),
      WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
      WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
      WAYMARK_PUBLISH_ON_START: 'true',
      ...extra,
    };
    const worker = startWorkerProcess(env);
    const close = async () => {
      await killed(worker.child);
      await server.close();
    };
    await worker.ready.catch(async (err: unknown) => {
      await close();
      throw err;
    });
    return { server, env, worker, close };
  }

  it('a profile update PostgreSQL refuses leaves no email in the worker log', async () => {
    const { server, worker, close } = await workerOn();
    const customerId = `log-pii-${randomUUID()}`;
    try {
      // PostgreSQL's error for this update quotes the traits, the email among them.
      await submitEvent(server.client, server.config, makeEvent('seen', customerId, Date.now(), { context: { traits: { contact_email: EMAIL, note: 'x\u0000' } } }));
      await eventually(async () => (worker.output().includes('Activity failed') ? true : undefined), 'the failed profile update in the log', 30_000);
      expect(worker.output()).not.toContain(EMAIL);
      expect(worker.output()).toContain('trait \\"note\\" holds a NUL character');
      const router = server.client.workflow.getHandle(customerWorkflowId(customerId));
      expect((await router.query(customerStateQuery)).decisions[0]?.outcome).toMatch(/^profile not updated: trait "note" holds a NUL character/);
      await router.terminate('test done');
    } finally {
      await close();
    }
  });

  it('a Braze that echoes its key and the address in an error: no key in the ledger, the run\'s failure, its history, the CLI or the log', async () => {
    const braze = await BrazeServer.start(`braze-key-${randomUUID()}`);
    const brazeEnv = { WAYMARK_BRAZE_URL: braze.url, WAYMARK_BRAZE_API_KEY: braze.apiKey, WAYMARK_BRAZE_APP_ID: 'test-app', WAYMARK_BRAZE_EMAIL_FROM: 'Fieldnote <hello@fieldnote.example>' };
    const { server, env, worker, close } = await workerOn(brazeEnv);
    const store = new Store(server.config);
    const customerId = `braze-secret-${randomUUID()}`;
    try {
      braze.answerNext({ kind: 'rejected', status: 400, message: `request with key ${braze.apiKey} refused`, errors: [`no verified sender for ${EMAIL} (key ${braze.apiKey})`] });
      await submitEvent(server.client, server.config, makeEvent('signed_up', customerId, Date.now(), { context: { email: EMAIL } }));
      const run = server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId));
      const outcome = await eventually(async () => {
        const state = await run.query(journeyStateQuery).catch(() => undefined);
        return state?.path.find((p) => p.step === 'welcome' && p.outcome?.includes('failed'))?.outcome;
      }, 'the welcome email refused by Braze', 60_000);
      const [entry] = await new SendLedger(store).forCustomer(customerId);
      const history = JSON.stringify(await run.fetchHistory());
      const cli = await runWaymark(['customer', customerId], { ...env, WAYMARK_LOG_LEVEL: 'silent' });

      for (const [where, text] of [['ledger', entry?.detail], ['run', outcome], ['history', history], ['CLI', cli.stdout + cli.stderr], ['log', worker.output()]] as const) {
        expect([where, text?.includes(braze.apiKey)]).toEqual([where, false]);
      }
      expect(worker.output()).not.toContain(EMAIL);
      expect(entry).toMatchObject({ state: 'failed', detail: expect.stringContaining('request with key [secret] refused') });
      expect(outcome).toContain('[secret]');
      expect(cli.stdout).toContain('request with key [secret] refused');
      await run.terminate('test done');
      await server.client.workflow.getHandle(customerWorkflowId(customerId)).terminate('test done');
    } finally {
      await store.close();
      await close();
      await braze.close();
    }
  });
});
