import type { ChildProcess } from 'node:child_process';
import { submitEvent } from '../../src/events/intake';
import { SendLedger } from '../../src/channels/ledger';
import { Store } from '../../src/store/store';
import { journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { BrazeServer } from '../support/braze-server';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';
import { killed, startWorkerProcess } from '../support/worker-process';

/**
 * Braze has no idempotency key: two calls are two messages, and the send ledger is the only
 * guard. These are the paths with no crash in them that sent twice before (real worker
 * processes, the dev server, a loopback Braze that counts what it received).
 */
describe('exactly once through Braze, without a crash (real processes, loopback Braze)', () => {
  let braze: BrazeServer;
  let server: Awaited<ReturnType<typeof devServer>>;
  let store: Store;
  const workers: ChildProcess[] = [];

  beforeEach(async () => {
    braze = await BrazeServer.start();
    server = await devServer();
    store = new Store(server.config);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(killed));
    await store.close();
    await braze.close();
    await server.close();
  });

  const workerEnv = (extra: Record<string, string> = {}) => ({
    ...storeEnv(server.config),
    WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
    WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
    WAYMARK_PUBLISH_ON_START: 'true',
    WAYMARK_BRAZE_URL: braze.url,
    WAYMARK_BRAZE_API_KEY: braze.apiKey,
    WAYMARK_BRAZE_APP_ID: 'test-app',
    WAYMARK_BRAZE_EMAIL_FROM: 'Fieldnote <hello@fieldnote.example>',
    WAYMARK_ACTIVITY_RETRY_INITIAL: '1s',
    ...extra,
  });
  const worker = async (env: Record<string, string>) => {
    const started = startWorkerProcess(env);
    workers.push(started.child);
    await started.ready;
    return started.child;
  };
  const welcomeOutcome = (customerId: string) =>
    eventually(async () => {
      const state = await server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId)).query(journeyStateQuery).catch(() => undefined);
      const outcome = state?.path.find((p) => p.step === 'welcome')?.outcome;
      return outcome?.includes('onboarding-welcome') ? outcome : undefined;
    }, 'the welcome step settled', 60_000);

  it('a graceful stop while Braze is slow to answer: the call finishes, is recorded, and the next worker sends nothing', async () => {
    braze.answerNext({ kind: 'slow', delayMs: 4_000 });
    const env = workerEnv({ WAYMARK_WORKER_SHUTDOWN_GRACE: '1s' });
    const first = await worker(env);
    const customerId = `braze-stop-${Date.now()}`;
    await submitEvent(server.client, server.config, makeEvent('signed_up', customerId, Date.now(), { context: { email: 'ana@example.com' } }));
    await eventually(async () => (braze.on('/messages/send').length ? true : undefined), 'the welcome email at Braze', 60_000);
    // SIGTERM: the worker stops gracefully; its 1 s grace runs out while Braze still holds the call.
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGTERM');
    await exited;
    await worker(env);
    // The step has an outcome only once its send activity is over: no attempt is left to call Braze.
    expect(await welcomeOutcome(customerId)).toMatch(/^(already )?sent email onboarding-welcome$/);
    expect(braze.on('/messages/send')).toHaveLength(1);
    expect(await new SendLedger(store).forCustomer(customerId)).toEqual([expect.objectContaining({ template: 'onboarding-welcome', state: 'sent' })]);
  });

  it('a record of "sent" that fails once: the retry records it from the heartbeat and does not call Braze again', async () => {
    await store.query('SELECT 1'); // creates and migrates the test's database
    // The first record of a sent message fails, as a statement timeout, a reset pooled connection or a failover fails it.
    await store.query('CREATE SEQUENCE sent_failures');
    await store.query(`CREATE FUNCTION fail_first_sent() RETURNS trigger AS $$ BEGIN
      IF NEW.state = 'sent' AND nextval('sent_failures') = 1 THEN RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = '57014'; END IF;
      RETURN NEW; END $$ LANGUAGE plpgsql`);
    await store.query('CREATE TRIGGER fail_first_sent BEFORE UPDATE ON send_ledger FOR EACH ROW EXECUTE FUNCTION fail_first_sent()');
    await worker(workerEnv());
    const customerId = `record-fails-${Date.now()}`;
    await submitEvent(server.client, server.config, makeEvent('signed_up', customerId, Date.now(), { context: { email: 'ana@example.com' } }));
    expect(await welcomeOutcome(customerId)).toBe('sent email onboarding-welcome');
    expect(braze.on('/messages/send')).toHaveLength(1);
    const [entry] = await store.query<{ state: string; attempts: number; provider_message_id: string | null }>('SELECT state, attempts, provider_message_id FROM send_ledger WHERE customer_id = $1', [customerId]).then((r) => r.rows);
    expect(entry).toEqual({ state: 'sent', attempts: 2, provider_message_id: expect.any(String) });
  });
});
