import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { runWaymark } from '../support/cli';
import { devServer, eventually } from '../support/dev-server';
import { devServerAddress, storeEnv, testConfig } from '../support/harness';
import { makeCertificates, startMutualTlsFront, type TestCertificates } from '../support/tls';
import { startWarehouseWorker } from '../support/warehouse-python';
import { killed, startWorkerProcess } from '../support/worker-process';

/**
 * Waymark against a Temporal endpoint that demands mutual TLS, as a cluster or Temporal Cloud does:
 * the test's dev server behind a TLS front that requires a client certificate from its CA
 * (tests/support/tls.ts; certificates made with openssl). The journeys worker, the Python
 * warehouse worker and the CLI connect through it with the WAYMARK_TEMPORAL_TLS_* settings;
 * wrong settings stop them at start with a sentence naming the setting.
 */
describe('mutual TLS to Temporal (worker, Python worker and CLI through a TLS front)', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let certs: TestCertificates;
  let front: Awaited<ReturnType<typeof startMutualTlsFront>>;

  beforeAll(async () => {
    server = await devServer();
    certs = makeCertificates(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'tls-')));
    front = await startMutualTlsFront(devServerAddress(), certs);
  });
  afterAll(async () => {
    await front?.close();
    await server?.close();
  });

  /** The settings of a process that reaches Temporal through the front, with `tls` for the TLS ones. */
  const envWith = (tls: Record<string, string>) => ({
    ...storeEnv(server.config),
    WAYMARK_TEMPORAL_ADDRESS: front.address,
    WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
    WAYMARK_PUBLISH_ON_START: 'true',
    WAYMARK_LOG_LEVEL: 'silent',
    ...tls,
  });
  const mtls = () => ({ WAYMARK_TEMPORAL_TLS_CERT: certs.client.cert, WAYMARK_TEMPORAL_TLS_KEY: certs.client.key, WAYMARK_TEMPORAL_TLS_CA: certs.ca, WAYMARK_TEMPORAL_TLS_SERVER_NAME: 'temporal.test' });

  it('a worker, the CLI and the Python worker run a customer and a build queue over mTLS', async () => {
    const before = front.counts.handshakes;
    const worker = startWorkerProcess(envWith(mtls()));
    const customerId = `tls-${randomUUID()}`;
    try {
      await worker.ready;
      const sent = await runWaymark(['events', 'send', '--type', 'signed_up', '--customer', customerId], envWith(mtls()));
      expect({ code: sent.code, stderr: sent.stderr }).toEqual({ code: 0, stderr: '' });
      // The run is read straight from the dev server: what the worker did through the front.
      const state = await eventually(async () => {
        const s = await server.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId)).query(journeyStateQuery).catch(() => undefined);
        return s?.path.some((p) => p.step === 'welcome' && p.outcome?.startsWith('sent')) ? s : undefined;
      }, 'the welcome email, sent by the worker connected over mTLS');
      expect(state.journeyId).toBe('onboarding');
      const shown = await runWaymark(['customer', customerId], envWith(mtls()));
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('onboarding');
    } finally {
      await killed(worker.child);
    }
    const python = await startWarehouseWorker(testConfig({ ...envWith(mtls()), WAYMARK_WAREHOUSE_TASK_QUEUE: `tls-warehouse-${randomUUID().slice(0, 8)}` }));
    await python.kill();
    // Every one of them came through the front: a plain connection would not have got past its handshake.
    expect(front.counts.handshakes).toBeGreaterThan(before + 2);
  });

  it.each([
    ['a certificate file that is not there', () => ({ ...mtls(), WAYMARK_TEMPORAL_TLS_CERT: '/nonexistent/client.pem' }), /WAYMARK_TEMPORAL_TLS_CERT: cannot read \/nonexistent\/client\.pem \(ENOENT\)/],
    ['a key that is not the certificate\'s', () => ({ ...mtls(), WAYMARK_TEMPORAL_TLS_KEY: certs.stranger.key }), /WAYMARK_TEMPORAL_TLS_KEY: the key in .+ is not the private key of the certificate in .+ \(WAYMARK_TEMPORAL_TLS_CERT\)/],
    ['a CA file that holds a key', () => ({ ...mtls(), WAYMARK_TEMPORAL_TLS_CA: certs.client.key }), /WAYMARK_TEMPORAL_TLS_CA: .+ is not a PEM certificate/],
    ['a certificate without its key', () => ({ WAYMARK_TEMPORAL_TLS_CERT: certs.client.cert, WAYMARK_TEMPORAL_TLS_CA: certs.ca }), /WAYMARK_TEMPORAL_TLS_KEY="": is empty while WAYMARK_TEMPORAL_TLS_CERT is set/],
  ])('refuses %s at start, naming the setting', async (_name, tls, message) => {
    const result = await runWaymark(['customer', 'anyone'], envWith(tls()));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ['a client certificate from a CA the server does not trust', () => ({ ...mtls(), WAYMARK_TEMPORAL_TLS_CERT: certs.stranger.cert, WAYMARK_TEMPORAL_TLS_KEY: certs.stranger.key })],
    ['no client certificate', () => ({ WAYMARK_TEMPORAL_TLS_CA: certs.ca, WAYMARK_TEMPORAL_TLS_SERVER_NAME: 'temporal.test' })],
    ['plain TCP to a TLS endpoint', () => ({})],
  ])('a worker with %s is refused by the server and exits saying where to look', async (_name, tls) => {
    const worker = startWorkerProcess(envWith({ ...tls(), WAYMARK_TEMPORAL_CONNECT_TIMEOUT: '5s' }));
    worker.ready.catch(() => undefined); // it must not get ready: its exit is awaited below
    const exit = await new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
    expect(exit).toBe(1);
    expect(worker.output()).toContain(`cannot reach Temporal at ${front.address} (WAYMARK_TEMPORAL_ADDRESS)`);
    // With TLS settings, the message names them.
    if (Object.keys(tls()).length > 0) expect(worker.output()).toContain('Over TLS: a server name that does not match its certificate (WAYMARK_TEMPORAL_TLS_SERVER_NAME)');
  });
});
