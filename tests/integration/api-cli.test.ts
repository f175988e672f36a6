import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import { customerStateQuery, customerWorkflowId } from '../../workflows/contract';
import { makeEvent, startWorker } from '../support/harness';
import { devServer, eventually } from '../support/dev-server';
import { runWaymark } from '../support/cli';

describe('waymark events (dev server)', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let worker: Worker;
  let running: Promise<void>;
  const saved = { ...process.env };
  let printed: string[];

  beforeAll(async () => {
    server = await devServer();
    worker = await startWorker(server.nativeConnection, server.config);
    running = worker.run();
    // The CLI reads its config from the environment, like any command.
    Object.assign(process.env, {
      WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
      WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue,
      WAYMARK_DATA_DIR: server.config.dataDir,
      WAYMARK_LOG_LEVEL: 'silent',
    });
  });
  beforeEach(() => {
    printed = [];
  });

  /** `bin/waymark events ...` as a real process (it inherits the environment set above); its output goes to `printed`. */
  const eventsCommand = async (args: string[]) => {
    const { code, stdout, stderr } = await runWaymark(['events', ...args]);
    printed.push(stdout, stderr);
    return code;
  };
  afterAll(async () => {
    process.env = saved;
    worker?.shutdown();
    await running;
    await server?.close();
  });

  /** The router's state once it handled `events` events and decided on the first (decisions come after the count). */
  const routerState = (customerId: string, events: number) =>
    eventually(async () => {
      const s = await server.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery).catch(() => undefined);
      return s && s.eventsAccepted + s.duplicatesIgnored === events && s.decisions.length > 0 ? s : undefined;
    }, `the router of ${customerId} to handle ${events} events`);

  it('sends one event', async () => {
    const customerId = `cli-send-${randomUUID().slice(0, 8)}`;
    expect(await eventsCommand(['send', '--type', 'signed_up', '--customer', customerId, '--property', 'plan=pro', '--property', 'seats=3'])).toBe(0);
    expect(printed.join('\n')).toContain(`accepted signed_up for ${customerId}`);
    expect((await routerState(customerId, 1)).decisions).toEqual([expect.objectContaining({ journeyId: 'onboarding', outcome: expect.stringMatching(/^entered/) })]);
  });

  it('replays a JSONL file in order per customer, reporting bad lines by number', async () => {
    const customerId = `cli-replay-${randomUUID().slice(0, 8)}`;
    const signedUp = makeEvent('signed_up', customerId, Date.now());
    const lines = [
      JSON.stringify(signedUp),
      JSON.stringify(makeEvent('activated', customerId, Date.now())),
      '{"messageId": "broken',
      '',
      JSON.stringify({ ...makeEvent('activated', customerId, Date.now()), customerId: 'has space' }),
      JSON.stringify(signedUp), // the same message again: accepted here, dropped by the router
      JSON.stringify(makeEvent('page_viewed', customerId, Date.now())),
    ];
    const file = path.join(server.config.dataDir, 'events.jsonl');
    fs.writeFileSync(file, lines.join('\n'));

    expect(await eventsCommand(['replay', file, '--concurrency', '4'])).toBe(1);
    const out = printed.join('\n');
    expect(out).toContain(`${file}: 4 accepted, 2 rejected (7 lines)`);
    expect(out).toContain('line 3: INVALID_JSON');
    expect(out).toContain('line 5: FIELD_FORMAT: customerId must be printable ASCII without spaces');
    expect(out).toContain('page_viewed (1)');

    const state = await routerState(customerId, 4);
    expect(state).toMatchObject({ eventsAccepted: 3, duplicatesIgnored: 1 });
    expect(state.decisions[0]).toMatchObject({ type: 'signed_up', outcome: expect.stringMatching(/^entered/) });
  });
});
