import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { eventually } from '../support/dev-server';
import { apiOnDevServer, KEY } from '../support/api';

/**
 * A loopback proxy in front of the API whose first request fails with 503. `refuse`: the
 * request never reaches the API (the SDK must resend it or lose it). `answer-lost`: the API
 * accepts it and the proxy throws the answer away (the resend must not count twice). Every
 * other request is forwarded as is.
 */
async function flakyProxy(target: string, mode: 'refuse' | 'answer-lost') {
  const seen: Array<{ status: number; messageIds: string[] }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const json = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8')) as { batch: Array<{ messageId: string }> };
      const first = seen.length === 0;
      const record = { status: 0, messageIds: json.batch.map((call) => call.messageId) };
      seen.push(record);
      let status = 503;
      let answer = '{"error":{"code":"TEMPORAL_UNAVAILABLE"}}';
      if (!first || mode === 'answer-lost') {
        const headers = Object.fromEntries(['authorization', 'content-type', 'content-encoding'].filter((h) => req.headers[h]).map((h) => [h, String(req.headers[h])]));
        const forwarded = await fetch(`${target}${req.url}`, { method: 'POST', headers, body });
        record.status = forwarded.status;
        if (!first) [status, answer] = [forwarded.status, await forwarded.text()];
        else await forwarded.text();
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Each request: the messageIds it carried and what the API answered (0: never forwarded). */
    seen,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

describe('an SDK retrying after a 503 neither loses nor duplicates a call', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;

  beforeAll(async () => {
    api = await apiOnDevServer();
  });
  afterAll(() => api?.close());

  const sentTo = async (customerId: string) => (await api.deps.outbox.list()).filter((m) => m.customerId === customerId).map((m) => m.template);
  /** The router once it handled `events` events, as accepted or as duplicates. */
  const routerAfter = (customerId: string, events: number) =>
    eventually(async () => {
      const state = await api.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery).catch(() => undefined);
      return state && state.eventsAccepted + state.duplicatesIgnored >= events ? state : undefined;
    }, `${events} events at ${customerId}'s router`);
  const onboardingRuns = async (customerId: string) => {
    const { count } = await api.client.workflow.count(`JourneyId = 'onboarding' AND CustomerId = '${customerId}'`);
    return count;
  };

  it('@segment/analytics-node: the API accepted the batch but the answer was lost; the resend is recognised as a duplicate', async () => {
    const userId = `seg-retry-${randomUUID().slice(0, 8)}`;
    const proxy = await flakyProxy(api.url, 'answer-lost');
    try {
      const analytics = new Analytics({ writeKey: KEY, host: proxy.url, flushAt: 20, flushInterval: 60_000, maxRetries: 3 });
      const errors: unknown[] = [];
      analytics.on('error', (err) => errors.push(err));
      analytics.identify({ userId, traits: { email: 'cy@example.com', plan: 'pro' } });
      analytics.track({ userId, event: 'Signed Up' });
      await analytics.closeAndFlush({ timeout: 30_000 });

      expect(errors).toEqual([]);
      // The same two calls twice: accepted (answer lost), then recognised as already accepted.
      expect(proxy.seen.map((r) => r.status)).toEqual([202, 200]);
      expect(proxy.seen[1]!.messageIds).toEqual(proxy.seen[0]!.messageIds);
      expect(await routerAfter(userId, 2)).toMatchObject({ eventsAccepted: 2, duplicatesIgnored: 0 });
      await eventually(async () => ((await sentTo(userId)).length ? true : undefined), 'the welcome');
      expect(await sentTo(userId)).toEqual(['onboarding-welcome']);
      expect(await eventually(async () => (await onboardingRuns(userId)) || undefined, 'the run in visibility')).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('@rudderstack/rudder-sdk-node: the first request never reached the API; the resend delivers every call once', async () => {
    const userId = `rs-retry-${randomUUID().slice(0, 8)}`;
    const proxy = await flakyProxy(api.url, 'refuse');
    try {
      const rudder = new RudderAnalytics(KEY, { dataPlaneUrl: proxy.url, flushAt: 20, flushInterval: 60_000, logLevel: 'error' });
      rudder.identify({ userId, traits: { email: 'di@example.com', plan: 'team' } });
      rudder.track({ userId, event: 'signed_up' });
      await rudder.flush();

      // The SDK sends its very first call at once, alone: that request is refused, resent, then the track follows.
      expect(proxy.seen.map((r) => r.status)).toEqual([0, 202, 202]);
      expect(proxy.seen[1]!.messageIds).toEqual(proxy.seen[0]!.messageIds);
      const delivered = proxy.seen.filter((r) => r.status === 202).flatMap((r) => r.messageIds);
      expect(new Set(delivered).size).toBe(2);
      expect(await routerAfter(userId, 2)).toMatchObject({ eventsAccepted: 2, duplicatesIgnored: 0 });
      await eventually(async () => ((await sentTo(userId)).length ? true : undefined), 'the welcome');
      expect(await sentTo(userId)).toEqual(['onboarding-welcome']);
      expect(await api.deps.profiles.get(userId)).toMatchObject({ plan: 'team', contact: { email: 'di@example.com' } });
    } finally {
      await proxy.close();
    }
  });
});
