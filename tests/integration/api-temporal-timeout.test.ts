import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logger';
import { createAppForClient, listen, type RunningServer } from '../../src/api/server';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { devServerAddress, makeEvent, startWorker } from '../support/harness';
import { devServer, eventually } from '../support/dev-server';
import { post, TEST_API_SETTINGS } from '../support/api';

/**
 * Issue 12, item 3 (API part): after a Temporal timeout the event may well have been recorded,
 * so the 503 must not say "nothing was accepted". The API reaches the real dev server through a
 * TCP relay on loopback that can hold back the server's replies: the request arrives and is
 * recorded, the answer does not come back in time.
 */

/** Forwards bytes both ways; while `holdReplies` is on, what the server sends waits in a buffer. */
function relay(target: string) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  let holding = false;
  const held: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => [client, upstream].forEach((x) => x.destroy()));
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => (holding ? held.push(() => client.write(chunk)) : client.write(chunk)));
  });
  return {
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as net.AddressInfo).port}`))),
    holdReplies: () => void (holding = true),
    release: () => {
      holding = false;
      held.splice(0).forEach((send) => send());
    },
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

describe('event API when Temporal records an event but its answer is late', () => {
  const proxy = relay(devServerAddress());
  let real: Awaited<ReturnType<typeof devServer>>;
  let worker: Worker;
  let running: Promise<void>;
  let connection: Connection;
  let http: RunningServer;

  beforeAll(async () => {
    const address = await proxy.listen();
    real = await devServer({ ...TEST_API_SETTINGS, WAYMARK_TEMPORAL_ADDRESS: address, WAYMARK_API_TEMPORAL_TIMEOUT: '1s' });
    worker = await startWorker(real.nativeConnection, real.config);
    running = worker.run();
    connection = Connection.lazy({ address });
    const app = createAppForClient(real.config, new Client({ connection, namespace: real.config.temporal.namespace }), createLogger(real.config), new Registry());
    http = await listen(app, real.config);
  });
  afterAll(async () => {
    await http?.close();
    await connection?.close();
    worker?.shutdown();
    await running;
    await real?.close();
    await proxy.close();
  });

  it('says the outcome is unknown and that a retry with the same messageId is safe, which it is', async () => {
    expect((await fetch(`${http.url}/readyz`)).status).toBe(200); // connected through the relay
    const customerId = `late-${randomUUID().slice(0, 8)}`;
    const event = makeEvent('signed_up', customerId, Date.now());

    proxy.holdReplies();
    const first = await post(http.url, '/v1/events', event);
    expect(first.status).toBe(503);
    const { message } = first.body.error as { message: string };
    expect(message).toContain('may or may not have been recorded');
    expect(message).toContain('same messageId');
    expect(message).not.toContain('nothing was accepted');
    expect(message).not.toContain(real.config.temporal.address);

    // It was recorded: the router, reached directly, has it.
    const router = real.client.workflow.getHandle(customerWorkflowId(customerId));
    await eventually(async () => ((await router.query(customerStateQuery).catch(() => undefined))?.eventsAccepted === 1 ? true : undefined), 'the router to hold the event');

    proxy.release();
    const retry = await post(http.url, '/v1/events', event);
    expect(retry.status).toBe(202);
    const state = await eventually(async () => {
      const s = await router.query(customerStateQuery);
      return s.eventsAccepted + s.duplicatesIgnored === 2 ? s : undefined;
    }, 'the router to see the retry');
    expect(state).toMatchObject({ eventsAccepted: 1, duplicatesIgnored: 1 });
  });
});
