import { randomUUID } from 'node:crypto';
import type { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { BrazeChannel } from '../../src/channels/braze/channel';
import { toActivityFailure } from '../../src/channels/braze/errors';
import type { OutgoingMessage } from '../../src/channels/port';
import { BrazeServer } from '../support/braze-server';
import { devServer } from '../support/dev-server';
import type { BrazeTestActivities } from './braze-workflow';
import { contentFor, outgoingMessage } from './channel-contract';

/**
 * toActivityFailure on a real Temporal server: the retry policy in braze-workflow.ts retries after
 * 100ms, so a retry that waits for x-ratelimit-reset waited because the failure said so, and a
 * rejected send is tried once whatever maximumAttempts says.
 */
describe('Braze failures under Temporal\'s retry policy (dev server)', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let braze: BrazeServer;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `braze-${randomUUID()}`;

  beforeAll(async () => {
    server = await devServer();
    braze = await BrazeServer.start();
    const config = loadConfig({}, { WAYMARK_ENV: 'test', WAYMARK_BRAZE_URL: braze.url, WAYMARK_BRAZE_API_KEY: braze.apiKey, WAYMARK_BRAZE_APP_ID: 'app-1', WAYMARK_BRAZE_EMAIL_FROM: 'Waymark <hello@example.com>' });
    const channel = BrazeChannel.fromConfig(config);
    const activities: BrazeTestActivities = {
      async deliverThroughBraze(message: OutgoingMessage) {
        try {
          return await channel.deliver(message);
        } catch (err) {
          throw toActivityFailure(err);
        }
      },
    };
    worker = await Worker.create({ connection: server.nativeConnection, namespace: server.config.temporal.namespace, taskQueue, workflowsPath: require.resolve('./braze-workflow'), activities });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await braze?.close();
    await server?.close();
  });

  const run = (message: OutgoingMessage) => server.client.workflow.execute('brazeDeliveryWorkflow', { taskQueue, workflowId: `braze-${randomUUID()}`, args: [message] });

  it('a 429 is retried at x-ratelimit-reset, then the message is sent once', async () => {
    const resetAt = Math.ceil(Date.now() / 1000) + 2;
    braze.answerNext({ kind: 'rate_limited', resetAt });
    const message = outgoingMessage(contentFor('email', 'rl'));

    const receipt = await run(message);

    const calls = braze.on('/messages/send').filter((r) => JSON.stringify(r.body).includes(message.recipient.externalId));
    expect(calls).toHaveLength(2);
    // The retry came no earlier than the reset (epoch seconds), not after the policy's 100ms.
    expect(calls[1]!.at).toBeGreaterThanOrEqual(resetAt * 1000 - 50);
    expect(receipt).toMatchObject({ key: message.key, providerMessageId: calls[1]!.dispatchId });
  });

  it('a 400 fails the workflow at once with Braze\'s reason, tried once despite maximumAttempts 3', async () => {
    braze.answerNext({ kind: 'rejected', message: 'Invalid messages object', errors: ['email.from is not a verified sender'] });
    const message = outgoingMessage(contentFor('email', 'bad'));

    const err = await run(message).catch((e: unknown) => e);

    // By name: SDK error classes may come from another jest realm.
    expect((err as Error).name).toBe('WorkflowFailedError');
    const failure = (err as WorkflowFailedError).cause?.cause as ApplicationFailure | undefined;
    expect(failure).toMatchObject({ type: 'BRAZE_REJECTED', nonRetryable: true });
    expect(failure?.message).toContain('email.from is not a verified sender');
    expect(braze.on('/messages/send').filter((r) => JSON.stringify(r.body).includes(message.recipient.externalId))).toHaveLength(1);
  });

  it('a 500 is retried on the policy\'s backoff and then sent', async () => {
    braze.answerNext({ kind: 'server_error' });
    const message = outgoingMessage(contentFor('push', 'srv'));
    await expect(run(message)).resolves.toMatchObject({ key: message.key });
    expect(braze.on('/messages/send').filter((r) => JSON.stringify(r.body).includes(message.recipient.externalId))).toHaveLength(2);
  });
});
