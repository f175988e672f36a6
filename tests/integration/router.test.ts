import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createDeps } from '../../src/runtime';
import { submitEvent } from '../../src/events/intake';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId, UNHEARD } from '../../workflows/contract';
import { makeEvent, startWorker, storeEnv } from '../support/harness';
import { devServer, eventually } from '../support/dev-server';
import { runWaymark } from '../support/cli';

describe('events through the customer router (dev server)', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let deps: ReturnType<typeof createDeps>;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;

  beforeAll(async () => {
    server = await devServer();
    client = server.client;
    deps = createDeps(server.config);
    worker = await startWorker(server.nativeConnection, server.config, deps);
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await server?.close();
  });

  const send = (type: string, customerId: string, extra = {}) => {
    const event = makeEvent(type, customerId, Date.now(), extra);
    return submitEvent(client, server.config, event).then(() => event);
  };

  it('starts onboarding, finds it by JourneyId, advances it and reads its state', async () => {
    const customerId = `int-${Date.now()}`;
    await send('signed_up', customerId);

    const found = await eventually(async () => {
      for await (const wf of client.workflow.list({ query: `JourneyId = 'onboarding' AND CustomerId = '${customerId}'` })) return wf;
      return undefined;
    }, 'the onboarding run in visibility');
    expect(found.workflowId).toBe(journeyWorkflowId('onboarding', customerId));
    expect(found.memo).toMatchObject({ journeyName: 'Onboarding' });

    const handle = client.workflow.getHandle(found.workflowId);
    const waiting = await eventually(async () => {
      const state = await handle.query(journeyStateQuery);
      return state.step === 'first_day' ? state : undefined;
    }, 'the run to wait on its first day');
    expect(waiting).toMatchObject({ status: 'active', waiting: { kind: 'timer', step: 'first_day' } });

    await send('account_deleted', customerId);
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'exited', reason: 'exit event account_deleted' });
    expect((await deps.outbox.list()).filter((m) => m.customerId === customerId).map((m) => m.template)).toEqual(['onboarding-welcome']);

    const router = await client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
    expect(router.journeys.onboarding).toMatchObject({ entries: 1 });
  });

  it('gives a duplicate messageId one effect, and never re-enters a "never" journey', async () => {
    const customerId = `dup-${Date.now()}`;
    const first = await send('signed_up', customerId);
    await submitEvent(client, server.config, first); // a client retry of the same message
    await send('signed_up', customerId); // a new sign-up event: onboarding is "never" re-enter

    const router = client.workflow.getHandle(customerWorkflowId(customerId));
    const state = await eventually(async () => {
      const s = await router.query(customerStateQuery);
      return s.eventsAccepted + s.duplicatesIgnored === 3 && s.decisions.length === 2 ? s : undefined;
    }, 'the router to handle three events');
    expect(state.duplicatesIgnored).toBe(1);
    expect(state.eventsAccepted).toBe(2);
    expect(state.decisions.map((d) => d.outcome)).toEqual([expect.stringMatching(/^entered/), expect.stringMatching(/^not entered: re-entry policy is "never" \(entered 1x, last .*\)$/)]);
    const sent = await eventually(async () => {
      const mine = (await deps.outbox.list()).filter((m) => m.customerId === customerId);
      return mine.length ? mine : undefined;
    }, 'the welcome message');
    expect(sent.map((m) => m.template)).toEqual(['onboarding-welcome']);
  });

  it('records a reused messageId with other content as a conflict, and sends nothing for it', async () => {
    const customerId = `conflict-${Date.now()}`;
    const first = await send('signed_up', customerId);
    await submitEvent(client, server.config, { ...first, properties: { plan: 'other' } }); // same id, other payload
    const state = await eventually(async () => {
      const s = await client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
      return s.conflicts === 1 && s.decisions.length === 2 ? s : undefined;
    }, 'the conflict to be recorded');
    expect(state).toMatchObject({ eventsAccepted: 1, duplicatesIgnored: 0, conflicts: 1 });
    expect(state.decisions[1]!.outcome).toMatch(/^ignored: this messageId was used before for a different event/);
  });

  it('keeps contact fields on the profile and says which entry filter kept a customer out, with the value seen', async () => {
    const customerId = `contact-${Date.now()}`;
    await send('health_at_risk', customerId, { properties: { score: 55 }, context: { email: 'ana@example.com', timezone: 'Europe/Paris', traits: { plan: 'pro' } } });
    const state = await eventually(async () => {
      const s = await client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
      return s.decisions.length ? s : undefined;
    }, 'the routing decision');
    expect(state.decisions.map((d) => [d.journeyId, d.outcome])).toEqual([
      ['churn-prevention', 'not entered: the entry filter event.score < 40 did not hold (event.score = 55)'],
    ]);
    expect(await deps.profiles.get(customerId)).toEqual({ plan: 'pro', contact: { email: 'ana@example.com', timezone: 'Europe/Paris' } });

    // `waymark customer` (a real process, as a user runs it) shows the profile and the decision not taken.
    const shown = await runWaymark(['customer', customerId], {
      WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
      WAYMARK_DATA_DIR: server.config.dataDir,
      ...storeEnv(server.config),
      WAYMARK_LOG_LEVEL: 'silent',
    });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('"email": "ana@example.com"');
    expect(shown.stdout).toContain('"plan": "pro"');
    expect(shown.stdout).toMatch(/churn-prevention\s+not entered: the entry filter event\.score < 40 did not hold \(event\.score = 55\)/);

    // An id the event API would refuse is named as such, not looked for.
    const malformed = await runWaymark(['customer', 'bad id'], { WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address, WAYMARK_LOG_LEVEL: 'silent' });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"bad id" is not a customer id the event API accepts (customerId must be printable ASCII without spaces)');
  });

  it('says when no journey took an event, and `waymark customer` names the type it was probably meant to be', async () => {
    const customerId = `typo-${Date.now()}`;
    await send('signed_upp', customerId);
    const state = await eventually(async () => {
      const s = await client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
      return s.decisions.length ? s : undefined;
    }, 'the routing decision');
    expect(state.decisions.map((d) => [d.type, d.journeyId, d.outcome])).toEqual([['signed_upp', undefined, UNHEARD]]);
    const shown = await runWaymark(['customer', customerId], {
      WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address,
      WAYMARK_DATA_DIR: server.config.dataDir,
      ...storeEnv(server.config),
      WAYMARK_LOG_LEVEL: 'silent',
    });
    expect(shown.stdout).toMatch(/signed_upp\s+no journey enters on this event or waits for it \(did you mean "signed_up"\?\)/);
  });

  it('names each event signal by its type, so a run\'s history reads as what the customer did', async () => {
    const customerId = `signals-${Date.now()}`;
    await send('signed_up', customerId);
    await send('activated', customerId);
    const history = await eventually(async () => {
      const h = await client.workflow.getHandle(journeyWorkflowId('onboarding', customerId)).fetchHistory().catch(() => undefined);
      const names = h?.events?.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter(Boolean);
      return names?.length ? names : undefined;
    }, 'the journey run to receive the forwarded event');
    expect(history).toEqual(['event:activated']);
    const routerSignals = (await client.workflow.getHandle(customerWorkflowId(customerId)).fetchHistory()).events
      ?.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)
      .filter(Boolean);
    expect(routerSignals).toEqual(['event:signed_up', 'event:activated']);
  });
});
