import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Config } from '../../src/config';
import type { MessageChannel } from '../../src/channels/port';
import { publishJourney } from '../../src/journey/publish';
import type { JourneyInput, PublishedJourney } from '../../src/journey/schema';
import { composeKey, journeyWorkflowId, journeyStateQuery, eventSignal, type JourneyState } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';
import { depsWith, makeEvent, runInput, startWorker, testConfig, useTimeSkippingEnv } from '../support/harness';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const publish = (input: JourneyInput): PublishedJourney => publishJourney(input, 'interpreter.test.ts', { maxWaitMs: 30 * DAY });

const buffering = publish({
  id: 'buffering',
  name: 'Buffering',
  entry: { event: 'go' },
  start: 'hello',
  steps: {
    hello: { kind: 'send', channel: 'email', template: 'buf-hello', next: 'pause' },
    pause: { kind: 'wait', duration: '1h', next: 'listen' },
    listen: { kind: 'wait_for_event', event: 'X', filter: { property: 'ok', op: 'eq', value: true }, timeout: '1d', onEvent: 'got', onTimeout: 'missed' },
    got: { kind: 'send', channel: 'email', template: 'buf-got', next: 'done' },
    missed: { kind: 'send', channel: 'email', template: 'buf-missed', next: 'done' },
    done: { kind: 'exit' },
  },
});

const looping = publish({
  id: 'looping',
  name: 'Looping',
  entry: { event: 'go' },
  start: 'pause',
  steps: {
    pause: { kind: 'wait', duration: '1h', next: 'tick' },
    tick: { kind: 'send', channel: 'push', template: 'loop-tick', next: 'check' },
    check: { kind: 'branch', branches: [{ when: { performed: 'stop' }, next: 'bye' }], default: 'pause' },
    bye: { kind: 'send', channel: 'email', template: 'loop-bye', next: 'done' },
    done: { kind: 'exit' },
  },
});

describe('journey interpreter (time skipping)', () => {
  const server = useTimeSkippingEnv();

  interface Drive {
    signal: (type: string, properties?: Record<string, unknown>) => Promise<void>;
    query: () => Promise<JourneyState>;
  }
  interface Options {
    config?: Config;
    channel?: (real: MessageChannel) => MessageChannel;
    drive?: (h: Drive) => Promise<void>;
  }

  async function run(journey: PublishedJourney, customerId: string, opts: Options = {}) {
    const config = opts.config ?? testConfig();
    const deps = await depsWith(config, [journey]);
    const worker = await startWorker(server.env.nativeConnection, config, { ...deps, channel: opts.channel?.(deps.outbox) ?? deps.outbox });
    return worker.runUntil(async () => {
      const entry = makeEvent('go', customerId, await server.env.currentTimeMs());
      const workflowId = journeyWorkflowId(journey.definition.id, customerId);
      const handle = await server.env.client.workflow.start(journeyWorkflow, {
        workflowId,
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(journey, config, entry)],
      });
      await opts.drive?.({
        signal: async (type, properties = {}) => handle.signal(eventSignal, makeEvent(type, customerId, await server.env.currentTimeMs(), { properties })),
        query: () => handle.query(journeyStateQuery),
      });
      const final = await handle.result();
      const records = await deps.outbox.list();
      return { final, entry, records, messages: records.map((r) => r.template), firstRunId: handle.firstExecutionRunId };
    });
  }

  describe('event buffering', () => {
    it('keeps an event that arrives before the run reaches its wait_for_event step', async () => {
      let during: JourneyState | undefined;
      const { final, messages } = await run(buffering, 'buf-early', {
        drive: async ({ signal, query }) => {
          await server.env.sleep(10 * MIN);
          await signal('X', { ok: false }); // does not pass the filter: stays buffered, unused
          await signal('X', { ok: true });
          during = await query();
        },
      });
      expect(during).toMatchObject({ step: 'pause', waiting: { kind: 'timer', step: 'pause' } });
      expect(during!.buffered.map((e) => e.properties)).toEqual([{ ok: false }, { ok: true }]);
      expect(messages).toEqual(['buf-hello', 'buf-got']);
      expect(final.path.map((p) => [p.step, p.outcome])).toEqual([
        ['hello', 'sent email buf-hello'],
        ['pause', 'waited'],
        ['listen', 'received X'],
        ['got', 'sent email buf-got'],
        ['done', 'exit'],
      ]);
      expect(final.currentEvent.properties).toEqual({ ok: true });
      expect(final.buffered.map((e) => e.properties)).toEqual([{ ok: false }]);
      // it did not sit out the 1d timeout: it went on as soon as the 1h wait ended
      expect(Date.parse(final.endedAt!) - Date.parse(final.enteredAt)).toBeLessThan(HOUR + MIN);
    });

    it('times out when only a non-matching event arrived', async () => {
      const { final, messages } = await run(buffering, 'buf-nomatch', {
        drive: async ({ signal }) => {
          await server.env.sleep(10 * MIN);
          await signal('X', { ok: 'yes' });
        },
      });
      expect(messages).toEqual(['buf-hello', 'buf-missed']);
      expect(final.path.find((p) => p.step === 'listen')?.outcome).toBe('timed out');
      expect(Date.parse(final.endedAt!) - Date.parse(final.enteredAt)).toBeGreaterThanOrEqual(HOUR + DAY);
    });
  });

  describe('continue-as-new', () => {
    it('carries state across runs: no duplicate messages, path and visits survive, stop ends it', async () => {
      const config = testConfig({ WAYMARK_JOURNEY_CONTINUE_AS_NEW_AFTER: '100' });
      const { final, entry, records, firstRunId } = await run(looping, 'loop-1', {
        config,
        drive: async ({ signal, query }) => {
          await server.env.sleep(30 * HOUR + 30 * MIN);
          const state = await query();
          expect(state).toMatchObject({ status: 'active', step: 'pause', visits: { tick: 30 } });
          await signal('stop');
        },
      });
      const ticks = records.filter((r) => r.template === 'loop-tick');
      // ticks at 1h..31h: the 31st branch is the first to see "stop"
      expect(ticks).toHaveLength(31);
      expect(records.map((r) => r.template)).toEqual([...Array<string>(31).fill('loop-tick'), 'loop-bye']);
      expect(ticks.map((r) => r.key)).toEqual(Array.from({ length: 31 }, (_, i) => composeKey('send', 'looping', 'loop-1', entry.messageId, 'tick', i + 1)));
      expect(new Set(records.map((r) => r.key)).size).toBe(records.length);
      const runIds = new Set(records.map((r) => r.runId));
      expect(runIds.size).toBeGreaterThanOrEqual(3);
      expect(runIds.has(firstRunId)).toBe(true);

      expect(final).toMatchObject({ status: 'completed', reason: 'exit step reached', messagesSent: 32, pathDropped: 0, lateEvents: 0 });
      expect(final.visits).toEqual({ pause: 31, tick: 31, check: 31, bye: 1, done: 1 });
      expect(final.performed).toEqual({ go: 1, stop: 1 });
      expect(final.enteredAt).toBe(entry.timestamp);
      expect(final.path).toHaveLength(31 * 3 + 2);
      expect(final.path[0]).toMatchObject({ step: 'pause', outcome: 'waited' });
      expect(Date.parse(final.path[0]!.at) - Date.parse(entry.timestamp)).toBeLessThan(MIN);
      expect(final.path.slice(-3).map((p) => [p.step, p.outcome])).toEqual([
        ['check', 'branch 1: performed stop held (performed stop 1x)'],
        ['bye', 'sent email loop-bye'],
        ['done', 'exit'],
      ]);
      expect(final.path.filter((p) => p.step === 'check' && p.outcome?.startsWith('default: '))).toHaveLength(30);
    });

    it('drops the oldest path entries past the limit and counts them, across runs', async () => {
      const config = testConfig({ WAYMARK_JOURNEY_CONTINUE_AS_NEW_AFTER: '100', WAYMARK_JOURNEY_MAX_PATH_ENTRIES: '10' });
      const { final, records } = await run(looping, 'loop-2', {
        config,
        drive: async ({ signal }) => {
          await server.env.sleep(12 * HOUR + 30 * MIN);
          await signal('stop');
        },
      });
      expect(records).toHaveLength(14);
      expect(final.path).toHaveLength(10);
      expect(final.pathDropped).toBe(13 * 3 + 2 - 10);
      expect(final.path.at(-1)).toMatchObject({ step: 'done', outcome: 'exit' });
    });
  });

  describe('exactly-once sends', () => {
    it('records one message per send step even when delivery is retried after the message went out', async () => {
      const attempts: string[] = [];
      const { final, records } = await run(buffering, 'once-1', {
        // the real outbox records the message, then the worker "crashes" before it can say so
        channel: (real) => ({
          provider: real.provider,
          keyed: real.keyed,
          async deliver(message) {
            attempts.push(message.stepId);
            const receipt = await real.deliver(message);
            if (attempts.filter((s) => s === message.stepId).length === 1) throw new Error('connection reset after send');
            return receipt;
          },
        }),
      });
      expect(attempts).toEqual(['hello', 'hello', 'missed', 'missed']);
      expect(records.map((r) => [r.stepId, r.template])).toEqual([
        ['hello', 'buf-hello'],
        ['missed', 'buf-missed'],
      ]);
      expect(new Set(records.map((r) => r.key)).size).toBe(2);
      expect(final.path.find((p) => p.step === 'hello')?.outcome).toBe('already sent email buf-hello');
      expect(final.messagesSent).toBe(2);
      expect(final.status).toBe('completed');
    });

    it('a worker restart mid-run, with every task replayed from history, sends nothing again', async () => {
      const config = testConfig();
      const deps = await depsWith(config, [buffering]);
      // no workflow cache: each workflow task replays the whole history (as after a crash)
      const replayingWorker = () =>
        Worker.create({
          connection: server.env.nativeConnection,
          namespace: config.temporal.namespace,
          taskQueue: config.temporal.journeyTaskQueue,
          workflowBundle: { codePath: process.env.WAYMARK_TEST_BUNDLE! },
          activities: createActivities(deps, server.env.client),
          maxCachedWorkflows: 0,
        });
      const customerId = 'once-replay';
      const handle = await (await replayingWorker()).runUntil(async () => {
        const h = await server.env.client.workflow.start(journeyWorkflow, {
          workflowId: journeyWorkflowId('buffering', customerId),
          taskQueue: config.temporal.journeyTaskQueue,
          args: [runInput(buffering, config, makeEvent('go', customerId, await server.env.currentTimeMs()))],
        });
        await server.env.sleep(10 * MIN);
        expect((await h.query(journeyStateQuery)).step).toBe('pause');
        return h;
      });
      expect((await deps.outbox.list()).map((r) => r.template)).toEqual(['buf-hello']);
      const final = await (await replayingWorker()).runUntil(handle.result());
      expect((await deps.outbox.list()).map((r) => r.template)).toEqual(['buf-hello', 'buf-missed']);
      expect(final).toMatchObject({ status: 'completed', messagesSent: 2 });
      expect(final.path.map((p) => p.outcome)).toEqual(['sent email buf-hello', 'waited', 'timed out', 'sent email buf-missed', 'exit']);
      // and the recorded history replays without nondeterminism on today's code
      await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WAYMARK_TEST_BUNDLE! } }, await handle.fetchHistory());
    });
  });
});
