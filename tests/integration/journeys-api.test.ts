import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { Registry } from 'prom-client';
import { createAppForClient } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { JourneyStore } from '../../src/store/journeys';
import { apiOnDevServer, journeysDir, KEY } from '../support/api';
import { eventually } from '../support/dev-server';
import { makeEvent } from '../support/harness';
import { departures, OPENAPI_PATHS } from '../support/openapi';
import { splitJourney } from '../support/split-journey';

const READ_KEY = 'test-key-api-read';
const MANAGE_KEY = 'test-key-api-manage';
const JOURNEY = splitJourney('api-test', 'api_test', ['discount']);

/** The journeys API (docs/openapi.yaml) on a real API, store and dev server: what the console does, for scripts. */
describe('the journeys API', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let store: JourneyStore;
  const run = randomUUID().slice(0, 8);
  const customers = Array.from({ length: 4 }, (_, i) => `api-${run}-${i}`);
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const current = async () => (await store.states()).find((s) => s.journeyId === JOURNEY.id)!;
  const tested = new Set<string>();
  const conforms = (path: string, body: unknown, schema: string) => {
    tested.add(path);
    expect(departures(body, schema)).toEqual([]);
  };

  beforeAll(async () => {
    api = await apiOnDevServer({ WAYMARK_JOURNEYS_DIR: journeysDir([JOURNEY]), WAYMARK_API_KEYS: `${KEY}:events,${READ_KEY}:read,${MANAGE_KEY}:read+manage` });
    store = new JourneyStore(api.deps.store);
    await api.post('/v1/events/batch', { events: customers.map((c) => makeEvent('api_test_entered', c, Date.now())) });
    const waiting = `JourneyId = '${JOURNEY.id}' AND JourneyStep = 'wait_for_click' AND ExecutionStatus = 'Running'`;
    await eventually(async () => ((await api.client.workflow.count(waiting)).count === customers.length ? true : undefined), 'every run waiting for the click', 60_000);
  });
  afterAll(() => api?.close());

  it('lists the journeys and reads one with its versions; a customer timeline; read keys only read', async () => {
    const list = await call('GET', '/v1/journeys', READ_KEY);
    expect(list.status).toBe(200);
    expect(list.body.journeys).toContainEqual({ journeyId: JOURNEY.id, name: JOURNEY.name, status: 'active', currentVersion: (await current()).currentVersion, versions: 1, running: customers.length });
    conforms('/v1/journeys', list.body, 'JourneyList');
    const one = await call('GET', `/v1/journeys/${JOURNEY.id}`, READ_KEY);
    expect(one.body).toMatchObject({ journeyId: JOURNEY.id, status: 'active', definition: { id: JOURNEY.id, start: 'offer_test' }, versions: [{ version: (await current()).currentVersion }] });
    conforms('/v1/journeys/{journeyId}', one.body, 'JourneyDetail');
    expect(await call('GET', '/v1/journeys/no-such-journey', READ_KEY)).toMatchObject({ status: 404, body: { error: { code: 'JOURNEY_NOT_FOUND', path: 'path.journeyId' } } });

    const timeline = await call('GET', `/v1/customers/${customers[0]}/timeline`, READ_KEY);
    expect(timeline.status).toBe(200);
    expect(timeline.body.journeys[0]).toMatchObject({ journeyId: JOURNEY.id, run: { status: 'active', path: expect.arrayContaining([expect.objectContaining({ step: 'offer_test', kind: 'split' }), expect.objectContaining({ step: 'wait_for_click' })]) } });
    conforms('/v1/customers/{customerId}/timeline', timeline.body, 'CustomerTimeline');
    expect(await call('GET', `/v1/customers/nobody-${run}/timeline`, READ_KEY)).toMatchObject({ status: 404, body: { error: { code: 'CUSTOMER_NOT_FOUND' } } });
    // Reading needs read; changing needs manage; an events key does neither.
    expect(await call('GET', '/v1/journeys', KEY)).toMatchObject({ status: 403, body: { error: { code: 'API_KEY_FORBIDDEN' } } });
    expect(await call('POST', `/v1/journeys/${JOURNEY.id}/pause`, READ_KEY, { actor: 'ada' })).toMatchObject({ status: 403, body: { error: { code: 'API_KEY_FORBIDDEN' } } });
    expect((await current()).status).toBe('active');
  });

  it('checks a definition (dry run), refuses an invalid one naming the field, publishes, compares and rolls back', async () => {
    const first = (await current()).currentVersion;
    const steps: Record<string, object> = JOURNEY.steps;
    const changed = { ...JOURNEY, steps: { ...steps, offer_discount: { ...steps.offer_discount, template: 'api-test-discount-v2' } } };
    const dry = await call('POST', '/v1/journeys', MANAGE_KEY, { definition: changed, dryRun: true });
    expect(dry).toMatchObject({ status: 200, body: { outcome: 'dry-run', current: first, differences: [{ change: 'changed', where: 'steps.offer_discount.template', before: 'api-test-discount', after: 'api-test-discount-v2' }] } });
    expect(dry.body.warnings).toEqual([expect.stringContaining('template "api-test-discount-v2", which does not exist')]);
    conforms('/v1/journeys', dry.body, 'PublishAnswer');
    expect((await current()).currentVersion).toBe(first);

    const invalid = await call('POST', '/v1/journeys', MANAGE_KEY, { definition: { ...changed, start: 'nowhere' }, actor: 'ada' });
    expect(invalid).toMatchObject({ status: 422, body: { error: { path: 'definition.start', message: expect.stringContaining('nowhere') } } });
    expect(await call('POST', '/v1/journeys', MANAGE_KEY, { definition: changed })).toMatchObject({ status: 422, body: { error: { code: 'FIELD_REQUIRED', path: 'actor' } } });
    // YAML text is accepted as well as an object.
    const yamlText = `id: ${JOURNEY.id}\nname: ${JOURNEY.name}\nentry: { event: api_test_entered }\nstart: done\nsteps:\n  done: { kind: exit }\n  broken: { kind: wait, duration: 1d, next: done`;
    expect((await call('POST', '/v1/journeys', MANAGE_KEY, { definition: yamlText, dryRun: true })).status).toBe(422);

    const published = await call('POST', '/v1/journeys', MANAGE_KEY, { definition: changed, actor: 'ada' });
    expect(published).toMatchObject({ status: 200, body: { outcome: 'new-version', current: first } });
    const second = published.body.version as string;
    expect((await current()).currentVersion).toBe(second);
    expect((await store.history(JOURNEY.id)).at(-1)).toMatchObject({ action: 'publish', version: second, actor: 'api: ada' });

    const diff = await call('GET', `/v1/journeys/${JOURNEY.id}/diff?from=${first}&to=${second}`, READ_KEY);
    expect(diff.body.differences).toEqual([{ change: 'changed', where: 'steps.offer_discount.template', before: 'api-test-discount', after: 'api-test-discount-v2' }]);
    conforms('/v1/journeys/{journeyId}/diff', diff.body, 'VersionDiff');
    expect(await call('GET', `/v1/journeys/${JOURNEY.id}/diff?to=abc123`, READ_KEY)).toMatchObject({ status: 404, body: { error: { path: 'query.to' } } });

    const back = await call('POST', `/v1/journeys/${JOURNEY.id}/rollback`, MANAGE_KEY, { actor: 'ada' });
    expect(back).toMatchObject({ status: 200, body: { from: second, to: first } });
    conforms('/v1/journeys/{journeyId}/rollback', back.body, 'Rollback');
    expect((await current()).currentVersion).toBe(first);
    expect(await call('POST', `/v1/journeys/${JOURNEY.id}/rollback`, MANAGE_KEY, { actor: 'ada', version: 'not hex' })).toMatchObject({ status: 422, body: { error: { path: 'version' } } });
  });

  it('pauses, resumes and archives, recording who; archived runs exit with the reason', async () => {
    for (const [action, status] of [['pause', 'paused'], ['resume', 'active']] as const) {
      const changed = await call('POST', `/v1/journeys/${JOURNEY.id}/${action}`, MANAGE_KEY, { actor: 'grace' });
      expect(changed).toMatchObject({ status: 200, body: { journeyId: JOURNEY.id, status } });
      conforms(`/v1/journeys/{journeyId}/${action}`, changed.body, 'StatusChange');
    }
    expect(await call('POST', `/v1/journeys/${JOURNEY.id}/pause`, MANAGE_KEY, {})).toMatchObject({ status: 422, body: { error: { code: 'FIELD_REQUIRED', path: 'actor' } } });
    const archived = await call('POST', `/v1/journeys/${JOURNEY.id}/archive`, MANAGE_KEY, { actor: 'grace' });
    expect(archived).toMatchObject({ status: 200, body: { status: 'archived' } });
    conforms('/v1/journeys/{journeyId}/archive', archived.body, 'StatusChange');
    expect((await store.history(JOURNEY.id)).slice(-3).map((h) => [h.action, h.actor])).toEqual([
      ['pause', 'api: grace'],
      ['resume', 'api: grace'],
      ['archive', 'api: grace'],
    ]);
    const exited = `JourneyId = '${JOURNEY.id}' AND JourneyStatus = 'exited'`;
    await eventually(async () => ((await api.client.workflow.count(exited)).count === customers.length ? true : undefined), 'every run exited', 60_000);
    expect((await api.client.workflow.getHandle(`journey/${JOURNEY.id}/${customers[0]}`).result()).reason).toMatch(/^journey archived by api: grace at /);
  });

  it("answers 503 TEMPORAL_UNAVAILABLE, not 500, when Temporal's visibility cannot count; the console's journey page says so", async () => {
    // The same API on a namespace the server does not have: every count fails as it did under load ("Namespace not found").
    const elsewhere = new Client({ connection: api.client.connection, namespace: `missing-${run}` });
    const { app } = createAppForClient(api.config, elsewhere, createLogger(api.config), new Registry(), api.deps.store);
    const get = async (path: string, headers: Record<string, string>) => {
      const res = await app.request(path, { headers });
      return { status: res.status, text: await res.text() };
    };
    const bearer = { authorization: `Bearer ${READ_KEY}` };
    for (const path of ['/v1/journeys', `/v1/journeys/${JOURNEY.id}/results`]) {
      const answer = await get(path, bearer);
      expect(answer.status).toBe(503);
      const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('TEMPORAL_UNAVAILABLE');
      expect(body.error.message).toMatch(/^Temporal's visibility did not answer \(namespace not found\) when counting the (running runs|results); retry in a moment$/);
      expect(departures(body, 'Error')).toEqual([]);
    }
    const page = await get(`/console/journeys/${JOURNEY.id}`, { cookie: `waymark_console_key=${READ_KEY}` });
    expect(page.status).toBe(503);
    expect(page.text).toContain("Temporal's visibility did not answer, so this journey's figures could not be counted");
    // The journeys list still answers, without the counts it could not make.
    const list = await get('/console/journeys', { cookie: `waymark_console_key=${READ_KEY}` });
    expect(list.status).toBe(200);
    expect(list.text).toMatch(new RegExp(`${JOURNEY.id}</a>.*<td class="n">\\?</td></tr>`));
  });

  it('every documented path is exercised here or in journey-results.test.ts', () => {
    tested.add('/v1/journeys/{journeyId}/results');
    expect(OPENAPI_PATHS.filter((p) => !tested.has(p))).toEqual([]);
  });
});
