import type { ChildProcess } from 'node:child_process';
import { submitEvent } from '../../src/events/intake';
import { Store } from '../../src/store/store';
import { journeysDir } from '../support/api';
import { mapLimited } from '../support/cli';
import { killed, startWorkerProcess } from '../support/worker-process';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, storeEnv, testConfig } from '../support/harness';

const CUSTOMERS = 120;
const TEMPLATES = ['kill-a', 'kill-b', 'kill-c'];

/** Three sends two seconds apart: a kill lands between, or during, a customer's sends. */
const killJourney = {
  id: 'kill-test',
  name: 'Kill test',
  entry: { event: 'kill_go' },
  start: 'a',
  steps: {
    a: { kind: 'send', channel: 'email', template: 'kill-a', next: 'w1' },
    w1: { kind: 'wait', duration: '2s', next: 'b' },
    b: { kind: 'send', channel: 'email', template: 'kill-b', next: 'w2' },
    w2: { kind: 'wait', duration: '2s', next: 'c' },
    c: { kind: 'send', channel: 'email', template: 'kill-c', next: 'end' },
    end: { kind: 'exit' },
  },
};

describe('two workers on two data directories sharing the store (real processes, one SIGKILLed mid-run)', () => {
  it('sends every message of every customer exactly once', async () => {
    const server = await devServer({ WAYMARK_JOURNEYS_DIR: journeysDir([killJourney]) });
    const config = testConfig({ WAYMARK_JOURNEYS_DIR: server.config.journeys.dir, WAYMARK_JOURNEY_TASK_QUEUE: server.config.temporal.journeyTaskQueue });
    const env = {
      ...storeEnv(config),
      WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
      WAYMARK_JOURNEY_TASK_QUEUE: config.temporal.journeyTaskQueue,
      WAYMARK_JOURNEYS_DIR: config.journeys.dir,
      WAYMARK_PUBLISH_ON_START: 'true',
      // A send cut off by the kill is retried on the other worker after this long.
      WAYMARK_ACTIVITY_START_TO_CLOSE: '5s',
      WAYMARK_ACTIVITY_RETRY_INITIAL: '1s',
    };
    const store = new Store(config);
    const workers: ChildProcess[] = [];
    const counts = async () => {
      const { rows } = await store.query<{ customer_id: string; template: string; n: string }>(
        "SELECT customer_id, message->>'template' AS template, count(*) AS n FROM local_messages GROUP BY 1, 2",
      );
      const delivered = rows.reduce((sum, r) => sum + Number(r.n), 0);
      return { delivered, distinct: rows.length, duplicated: delivered - rows.length };
    };
    try {
      const a = startWorkerProcess(env);
      const b = startWorkerProcess(env);
      workers.push(a.child, b.child);
      await Promise.all([a.ready, b.ready]);
      const customers = Array.from({ length: CUSTOMERS }, (_, i) => `kill-${Date.now()}-${i}`);
      await mapLimited(customers, 16, (c) => submitEvent(server.client, server.config, makeEvent('kill_go', c, Date.now())));

      // Kill worker A while messages are going out, start it again, and kill it again.
      await eventually(async () => ((await counts()).delivered >= CUSTOMERS / 2 ? true : undefined), 'sends under way', 60_000);
      const atFirstKill = (await counts()).delivered;
      await killed(a.child);
      const again = startWorkerProcess(env);
      workers.push(again.child);
      await again.ready;
      await killed(again.child);

      const expected = CUSTOMERS * TEMPLATES.length;
      await eventually(async () => ((await counts()).distinct >= expected ? true : undefined), 'every message sent', 120_000).catch(() => undefined);
      const final = await counts();
      const { rows } = await store.query<{ retried: string }>("SELECT count(*) AS retried FROM send_ledger WHERE attempts > 1 AND customer_id LIKE 'kill-%'");
      const lost = expected - final.distinct;
      console.log(`two-worker kill test: expected ${expected}, delivered ${final.delivered}, lost ${lost}, duplicated ${final.duplicated}; sends retried ${rows[0]!.retried}; delivered when the first kill came: ${atFirstKill}`);
      expect(atFirstKill).toBeLessThan(expected); // the kill came mid-run
      expect({ lost, duplicated: final.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    } finally {
      await Promise.all(workers.map(killed));
      await store.close();
      await server.close();
    }
  });
});
