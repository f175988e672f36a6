import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logger';
import { createAppForClient, listen, type RunningServer } from '../../src/api/server';
import { makeEvent, testConfig } from '../support/harness';
import { devServer } from '../support/dev-server';
import { post, routerExists, TEST_API_SETTINGS, workflowsOf } from '../support/api';

describe('event API when Temporal cannot be reached', () => {
  const config = testConfig({
    WAYMARK_TEMPORAL_ADDRESS: '127.0.0.1:1', // nothing listens on port 1
    WAYMARK_API_TEMPORAL_TIMEOUT: '1s',
    WAYMARK_API_READY_TIMEOUT: '1s',
    ...TEST_API_SETTINGS,
  });
  const connection = Connection.lazy({ address: config.temporal.address });
  let http: RunningServer;
  let real: Awaited<ReturnType<typeof devServer>>;

  beforeAll(async () => {
    const app = createAppForClient(config, new Client({ connection, namespace: config.temporal.namespace }), createLogger(config), new Registry());
    http = await listen(app, config);
    real = await devServer();
  });
  afterAll(async () => {
    await http?.close();
    await connection.close();
    await real?.close();
  });

  it('answers 503 with a JSON error, within the timeout, and acknowledges nothing', async () => {
    const customerId = `down-${randomUUID().slice(0, 8)}`;
    const started = Date.now();
    const single = await post(http.url, '/v1/events', makeEvent('signed_up', customerId, Date.now()));
    expect(Date.now() - started).toBeLessThan(config.api.temporalTimeoutMs + 5_000); // room for a loaded machine
    expect(single.status).toBe(503);
    expect(single.headers.get('retry-after')).toBe('1');
    expect(single.body).toMatchObject({ error: { code: 'TEMPORAL_UNAVAILABLE', message: expect.stringContaining('nothing was accepted') } });
    expect(single.body).not.toHaveProperty('status');
    expect(JSON.stringify(single.body)).not.toContain(config.temporal.address);

    const batch = await post(http.url, '/v1/events/batch', { events: [makeEvent('signed_up', customerId, Date.now()), makeEvent('activated', customerId, Date.now())] });
    expect(batch.status).toBe(503);
    expect(batch.body).toMatchObject({
      accepted: 0,
      rejected: 2,
      error: { code: 'TEMPORAL_UNAVAILABLE', path: 'events' },
      results: [
        { status: 'rejected', error: { code: 'TEMPORAL_UNAVAILABLE' } },
        // not even tried: it must not overtake the event before it
        { status: 'rejected', error: { code: 'TEMPORAL_UNAVAILABLE', message: expect.stringContaining('earlier event') } },
      ],
    });

    // The real server never heard of this customer.
    expect(await routerExists(real.client, customerId)).toBe(false);
    expect(await workflowsOf(real.client, customerId)).toEqual([]);
  });

  it('is up but not ready', async () => {
    expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${http.url}/readyz`);
    expect(ready.status).toBe(503);
    // Only the verdict: Temporal's address and the gRPC error are for the log, not for whoever asks.
    expect(await ready.json()).toEqual({ status: 'unavailable' });
  });
});
