import { temporal } from '@temporalio/proto';
import { submitEvent } from '../../src/events/intake';
import { createDeps } from '../../src/runtime';
import { journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import type { journeyWorkflow } from '../../workflows/journey';
import { journeysDir } from '../support/api';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker } from '../support/harness';

const WAIT_MS = 6_000;
const { EventType } = temporal.api.enums.v1;

/** A wait_for_event with a short timeout: "done" in time takes the event path, else the timeout path. */
const raceJourney = {
  id: 'timeout-race',
  name: 'Timeout race',
  entry: { event: 'race_started' },
  start: 'wait_done',
  steps: {
    wait_done: { kind: 'wait_for_event', event: 'race_done', timeout: `${WAIT_MS / 1000}s`, onEvent: 'got_it', onTimeout: 'missed' },
    got_it: { kind: 'send', channel: 'email', template: 'race-got-it', next: 'end' },
    missed: { kind: 'send', channel: 'email', template: 'race-missed', next: 'end' },
    end: { kind: 'exit' },
  },
};

describe('an event accepted before a wait times out (dev server, worker stopped across the deadline)', () => {
  it('counts, although the journey timer fires before the router hands the event over', async () => {
    const server = await devServer({ WAYMARK_JOURNEYS_DIR: journeysDir([raceJourney]) });
    const deps = createDeps(server.config);
    const customers = ['race-a', 'race-b', 'race-c'].map((c) => `${c}-${Date.now()}`);
    try {
      // 1. Customers enter and park in the wait.
      const first = await startWorker(server.nativeConnection, server.config, deps);
      await first.runUntil(async () => {
        for (const c of customers) await submitEvent(server.client, server.config, makeEvent('race_started', c, Date.now()));
        for (const c of customers) {
          await eventually(async () => {
            const s = await server.client.workflow.getHandle(journeyWorkflowId('timeout-race', c)).query(journeyStateQuery).catch(() => undefined);
            return s?.waiting ? s : undefined;
          }, `${c} parked`);
        }
      });
      // 2. No worker runs: each "race_done" is accepted (202 territory) before the deadline, but nobody routes it;
      // then the server fires each wait's timer (it is in the run's history, waiting for a worker).
      for (const c of customers) await submitEvent(server.client, server.config, makeEvent('race_done', c, Date.now()));
      for (const c of customers) {
        const run = server.client.workflow.getHandle(journeyWorkflowId('timeout-race', c));
        await eventually(async () => ((await run.fetchHistory()).events?.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED) ? true : undefined), `${c}'s wait to time out`, WAIT_MS + 60_000);
      }
      // 3. A worker comes back after the deadline: the timers and the events are all pending at once.
      const second = await startWorker(server.nativeConnection, server.config, deps);
      const finals = await second.runUntil(() =>
        Promise.all(customers.map((c) => server.client.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId('timeout-race', c)).result())),
      );
      for (const final of finals) {
        expect(final.path.find((p) => p.step === 'wait_done')?.outcome).toMatch(/^received race_done/);
      }
      const sent = (await deps.outbox.list()).map((m) => m.template);
      expect(sent.filter((t) => t === 'race-got-it')).toHaveLength(customers.length);
      expect(sent).not.toContain('race-missed');
    } finally {
      await server.close();
    }
  });
});
