import { submitEvent } from '../../src/events/intake';
import { createDeps } from '../../src/runtime';
import { journeyWorkflowId } from '../../workflows/contract';
import type { journeyWorkflow } from '../../workflows/journey';
import { journeysDir } from '../support/api';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker } from '../support/harness';

/** Three emails in a row; the third is transactional. */
const policyJourney = {
  id: 'policy-test',
  name: 'Policy test',
  entry: { event: 'policy_go' },
  start: 'a',
  steps: {
    a: { kind: 'send', channel: 'email', template: 'policy-a', next: 'b' },
    b: { kind: 'send', channel: 'email', template: 'policy-b', next: 'c' },
    c: { kind: 'send', channel: 'email', template: 'policy-c', transactional: true, next: 'end' },
    end: { kind: 'exit' },
  },
};

describe('the contact policy on a real run (dev server, real clock)', () => {
  it('holds a message beyond the frequency cap until the cap allows it, lets a transactional one through, and skips an unsubscribed channel', async () => {
    const server = await devServer({ WAYMARK_JOURNEYS_DIR: journeysDir([policyJourney]), WAYMARK_FREQUENCY_CAPS: 'email:1/3s' });
    const deps = createDeps(server.config);
    const [capped, unsubscribed] = ['capped', 'unsubscribed'].map((c) => `${c}-${Date.now()}`) as [string, string];
    const result = async (customerId: string) => {
      const run = server.client.workflow.getHandle<typeof journeyWorkflow>(journeyWorkflowId('policy-test', customerId));
      await eventually(() => run.describe().then(() => true, () => undefined), `${customerId}'s run`); // the router starts it
      return run.result();
    };
    try {
      const worker = await startWorker(server.nativeConnection, server.config, deps);
      const [cappedRun, unsubscribedRun] = await worker.runUntil(async () => {
        await submitEvent(server.client, server.config, makeEvent('unsubscribed', unsubscribed, Date.now(), { properties: { channel: 'email' } }));
        // The entry's sends read the profile: the router has applied the unsubscribe to it.
        await eventually(async () => ((await deps.profiles.get(unsubscribed)).consent?.email === 'unsubscribed' ? true : undefined), `${unsubscribed}'s unsubscribe on the profile`, 60_000);
        await submitEvent(server.client, server.config, makeEvent('policy_go', unsubscribed, Date.now()));
        await submitEvent(server.client, server.config, makeEvent('policy_go', capped, Date.now()));
        return Promise.all([result(capped), result(unsubscribed)]);
      });
      const outcomes = (run: typeof cappedRun) => run.path.filter((p) => p.kind === 'send').map((p) => p.outcome);
      expect(outcomes(cappedRun)).toEqual([
        'sent email policy-a',
        expect.stringMatching(/^sent email policy-b \(held until .*: the email cap of 1 per 3s \(WAYMARK_FREQUENCY_CAPS\)\)$/),
        'sent email policy-c',
      ]);
      // The cap counts sends by the time the run asked for them (the ledger's requested_at): the second was asked for
      // 3 s after the first, once the hold was over, and delivered after that. (The outbox's own times are taken a
      // moment after the asking: on a loaded machine their gap came out at 2.886 s.)
      const until = /held until (\S+):/.exec(outcomes(cappedRun)[1]!)![1]!;
      const { rows } = await deps.store.query<{ template: string; requested_at: Date }>("SELECT template, requested_at FROM send_ledger WHERE customer_id = $1 AND template IN ('policy-a', 'policy-b') ORDER BY template", [capped]);
      expect(rows[1]!.requested_at.getTime() - rows[0]!.requested_at.getTime()).toBeGreaterThanOrEqual(3_000);
      const sent = await deps.outbox.list(capped);
      expect(Date.parse(sent[1]!.recordedAt)).toBeGreaterThanOrEqual(Date.parse(until));
      expect(outcomes(unsubscribedRun)).toEqual(['a', 'b', 'c'].map((s) => `not sent email policy-${s}: the customer unsubscribed from email`));
      expect(await deps.outbox.list(unsubscribed)).toEqual([]);
    } finally {
      await deps.store.close();
      await server.close();
    }
  });
});
