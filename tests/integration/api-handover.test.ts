import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { freePort } from '../../src/free-port';
import { customerWorkflowId } from '../../workflows/contract';
import { KEY } from '../support/api';
import { devServer, eventually } from '../support/dev-server';
import { storeEnv } from '../support/harness';
import { startProcess } from '../support/processes';

/**
 * Restarting the event API under a sender that keeps its defaults (the RudderStack SDK retries a
 * refused call three times within about a second): with WAYMARK_API_REUSE_PORT a new API process
 * takes the port while the old one still listens, and the old one then drains what it has in
 * hand, so a restart refuses no connection and loses no call. No journeys worker: what counts is
 * what Temporal recorded, each call a signal in its customer's router history.
 */

const ROOT = path.resolve(__dirname, '../..');
const CUSTOMERS = 10;
const CALLS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('event API hand-over on restart (SO_REUSEPORT; real RudderStack SDK, default retries)', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  beforeAll(async () => {
    server = await devServer();
  });
  afterAll(() => server?.close());

  /** An API process on `port`, once it answers /readyz. */
  async function startApi(port: number): Promise<ChildProcess> {
    const child = startProcess(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        WAYMARK_ENV_FILE: '',
        WAYMARK_LOG_FORMAT: 'json',
        WAYMARK_DATA_DIR: server.config.dataDir,
        WAYMARK_API_KEYS: `${KEY}:events`,
        WAYMARK_API_PORT: String(port),
        WAYMARK_API_METRICS_ADDRESS: '',
        WAYMARK_API_REUSE_PORT: 'true',
        WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
        WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
        ...storeEnv(server.config),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
      what: `event API on port ${port}`,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the API exited with ${code} before listening`)));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('"event API listening"')) resolve();
      });
    });
    await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 'the new API ready');
    return child;
  }

  /** A restart as an operator does it with WAYMARK_API_REUSE_PORT: start the new one, then stop the old one. */
  async function handOver(old: ChildProcess, port: number): Promise<ChildProcess> {
    const next = await startApi(port);
    old.kill('SIGTERM');
    await exited(old);
    return next;
  }

  it('hands the port over twice while the SDK sends 300 calls: every call reaches its router, none is refused', async () => {
    const port = await freePort();
    let api = await startApi(port);
    const errors: unknown[] = [];
    const rudder = new RudderAnalytics(KEY, { dataPlaneUrl: `http://127.0.0.1:${port}`, flushAt: 10, flushInterval: 100, logLevel: 'error', errorHandler: (err) => errors.push(err) });
    const run = randomUUID().slice(0, 8);
    const users = Array.from({ length: CUSTOMERS }, (_, i) => `handover-${run}-${i}`);
    const sent = new Set<string>();
    const sending = (async () => {
      for (let i = 0; i < CALLS; i++) {
        const messageId = `handover-${run}-${i}`;
        sent.add(messageId);
        // The SDK keeps a messageId it is given (its type does not declare it).
        rudder.track({ userId: users[i % CUSTOMERS]!, event: 'handover_ping', messageId, properties: { i } } as Parameters<typeof rudder.track>[0]);
        await sleep(15);
      }
    })();
    try {
      await sleep(1_000);
      api = await handOver(api, port);
      await sleep(1_000);
      api = await handOver(api, port);
      await sending;
      await rudder.flush();
    } finally {
      api.kill('SIGTERM');
      await exited(api);
    }

    expect(errors).toEqual([]);
    const received = new Set<string>();
    for (const user of users) {
      const ids = await eventually(async () => {
        const history = await server.client.workflow.getHandle(customerWorkflowId(user)).fetchHistory();
        const found = history.events!.flatMap((e) => {
          const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
          return payload ? [(JSON.parse(Buffer.from(payload).toString('utf8')) as { messageId: string }).messageId] : [];
        });
        return new Set(found).size >= CALLS / CUSTOMERS ? found : undefined;
      }, `the calls of ${user} in its router's history`);
      for (const id of ids) received.add(id);
    }
    expect([...received].sort()).toEqual([...sent].sort());
    for (const user of users) await server.client.workflow.getHandle(customerWorkflowId(user)).terminate('test done');
  });
});
