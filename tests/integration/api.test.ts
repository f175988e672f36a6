import { randomUUID } from 'node:crypto';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { makeEvent } from '../support/harness';
import { eventually } from '../support/dev-server';
import { apiOnDevServer, journeysDir } from '../support/api';

/** entry -> wait up to 1h for a confirmation -> thank -> exit; a goal and an exit event can end it mid-wait. */
const FIXTURE = {
  id: 'api-test',
  name: 'API test journey',
  entry: { event: 'api_test_entered' },
  reentry: { policy: 'never' },
  goals: [{ event: 'api_test_purchased', name: 'purchased' }],
  exits: [{ event: 'api_test_cancelled' }],
  start: 'await_confirmation',
  steps: {
    await_confirmation: { kind: 'wait_for_event', event: 'api_test_confirmed', timeout: '1h', onEvent: 'thank', onTimeout: 'done' },
    thank: { kind: 'send', channel: 'email', template: 'api-test-thanks', next: 'done' },
    done: { kind: 'exit' },
  },
};

describe('event API on the dev server', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;

  beforeAll(async () => {
    api = await apiOnDevServer({ WAYMARK_JOURNEYS_DIR: journeysDir([FIXTURE]) });
  });
  afterAll(() => api?.close());

  const customer = (what: string) => `api-${what}-${randomUUID().slice(0, 8)}`;
  const event = (type: string, customerId: string, extra = {}) => makeEvent(type, customerId, Date.now(), extra);
  const sentTo = async (customerId: string) => (await api.deps.outbox.list()).filter((m) => m.customerId === customerId).map((m) => m.template);

  /** Waits until the run waits on its wait_for_event step, so later events are what it reacts to. */
  const waitingRun = async (customerId: string) => {
    const handle = api.client.workflow.getHandle(journeyWorkflowId('api-test', customerId));
    await eventually(async () => ((await handle.query(journeyStateQuery).catch(() => undefined))?.waiting?.kind === 'event' ? true : undefined), 'the run to wait for the event');
    return handle;
  };

  it('starts onboarding from an HTTP event; the run is found by JourneyId and CustomerId', async () => {
    const customerId = customer('onboarding');
    const res = await api.post('/v1/events', event('signed_up', customerId, { context: { email: 'new@example.com', timezone: 'Europe/Paris' } }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'accepted', unknownType: false });

    const found = await eventually(async () => {
      for await (const wf of api.client.workflow.list({ query: `JourneyId = 'onboarding' AND CustomerId = '${customerId}'` })) return wf;
      return undefined;
    }, 'the onboarding run in visibility');
    expect(found.workflowId).toBe(journeyWorkflowId('onboarding', customerId));
    expect(await eventually(async () => ((await sentTo(customerId)).length ? sentTo(customerId) : undefined), 'the welcome')).toEqual(['onboarding-welcome']);
  });

  it('completes a wait_for_event with a second event', async () => {
    const customerId = customer('wait');
    expect((await api.post('/v1/events', event('api_test_entered', customerId))).status).toBe(202);
    const handle = await waitingRun(customerId);
    expect((await api.post('/v1/events', event('api_test_confirmed', customerId))).status).toBe(202);
    expect(await handle.result()).toMatchObject({ status: 'completed', path: [{ step: 'await_confirmation', outcome: expect.stringMatching(/^received api_test_confirmed/) }, { step: 'thank' }, { step: 'done' }] });
    expect(await sentTo(customerId)).toEqual(['api-test-thanks']);
  });

  it('ends a run mid-wait on a goal event, and on an exit event', async () => {
    const converted = customer('goal');
    const exited = customer('exit');
    await api.post('/v1/events/batch', { events: [event('api_test_entered', converted), event('api_test_entered', exited)] });
    const [goalRun, exitRun] = await Promise.all([waitingRun(converted), waitingRun(exited)]);
    await api.post('/v1/events/batch', { events: [event('api_test_purchased', converted), event('api_test_cancelled', exited)] });
    expect(await goalRun.result()).toMatchObject({ status: 'converted', reason: expect.stringMatching(/^goal "?purchased"? reached/) });
    expect(await exitRun.result()).toMatchObject({ status: 'exited', reason: expect.stringMatching(/^exit event "?api_test_cancelled/) });
    expect([...(await sentTo(converted)), ...(await sentTo(exited))]).toEqual([]);
  });

  it('gives a messageId sent twice one effect, and says the second is a duplicate', async () => {
    const customerId = customer('dup');
    const once = event('signed_up', customerId);
    const first = await api.post('/v1/events', once);
    const retry = await api.post('/v1/events', once);
    expect([first.status, retry.status]).toEqual([202, 200]);
    expect(retry.body).toEqual({ status: 'duplicate', messageId: once.messageId, unknownType: false });

    // The API knew it had handed this event over, so the router saw it once.
    const router = api.client.workflow.getHandle(customerWorkflowId(customerId));
    const state = await eventually(async () => {
      const s = await router.query(customerStateQuery);
      return s.eventsAccepted + s.duplicatesIgnored === 1 ? s : undefined;
    }, 'the router to handle the event');
    expect(state).toMatchObject({ eventsAccepted: 1, duplicatesIgnored: 0 });
    await eventually(async () => ((await sentTo(customerId)).length ? true : undefined), 'the welcome');
    expect(await sentTo(customerId)).toEqual(['onboarding-welcome']);
  });

  it('does not let an event older than the entry satisfy a wait', async () => {
    const customerId = customer('late');
    const enteredAt = Date.now();
    await api.post('/v1/events', makeEvent('api_test_entered', customerId, enteredAt));
    const handle = await waitingRun(customerId);
    expect((await api.post('/v1/events', makeEvent('api_test_confirmed', customerId, enteredAt - 3_600_000))).status).toBe(202);
    const state = await eventually(async () => {
      const s = await handle.query(journeyStateQuery);
      return s.lateEvents === 1 ? s : undefined;
    }, 'the late event to be counted');
    expect(state).toMatchObject({ status: 'active', waiting: { kind: 'event', event: 'api_test_confirmed' } });
    await handle.terminate('test done');
  });

  it('accepts the valid items of a batch in order per customer and reports the rest', async () => {
    const customerId = customer('batch');
    const bad = { ...event('api_test_confirmed', customerId), timestamp: 'yesterday' };
    const res = await api.post('/v1/events/batch', {
      events: [event('api_test_entered', customerId), bad, event('api_test_confirmed', customerId), event('page_viewed', customerId)],
    });
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({
      accepted: 3,
      rejected: 1,
      results: [
        { index: 0, status: 'accepted', unknownType: false },
        { index: 1, status: 'rejected', error: { code: 'FIELD_FORMAT', path: 'events[1].timestamp' } },
        { index: 2, status: 'accepted' },
        { index: 3, status: 'accepted', unknownType: true },
      ],
    });
    // Entry and confirmation in one batch: the order holds, so the confirmation completes the wait.
    const run = api.client.workflow.getHandle(journeyWorkflowId('api-test', customerId));
    await eventually(async () => ((await sentTo(customerId)).length ? true : undefined), 'the thanks');
    expect(await run.result()).toMatchObject({ status: 'completed' });
  });

  it('exposes counters and latency in Prometheus format on the metrics address, and is ready while Temporal answers', async () => {
    const ready = await fetch(`${api.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    const text = await (await fetch(api.metricsUrl)).text();
    expect(text).toMatch(/^waymark_events_accepted_total \d+/m);
    expect(text).toMatch(/^waymark_events_unknown_type_total [1-9]/m);
    expect(text).toMatch(/^waymark_events_rejected_total\{code="FIELD_FORMAT"\} 1/m);
    expect(text).toMatch(/^waymark_api_request_duration_seconds_bucket\{le="0.1",route="\/v1\/events",status="202"\} \d+/m);
  });
});
