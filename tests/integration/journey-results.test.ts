import { randomUUID } from 'node:crypto';
import { pickPath } from '../../src/journey/split';
import { wilsonInterval, twoProportionTest } from '../../src/results/stats';
import type { JourneyResults } from '../../src/results/journey-results';
import { JourneyStore } from '../../src/store/journeys';
import { apiOnDevServer, journeysDir, KEY } from '../support/api';
import { runWaymark } from '../support/cli';
import { eventually } from '../support/dev-server';
import { departures, OPENAPI_PATHS } from '../support/openapi';
import { splitJourney } from '../support/split-journey';
import { makeEvent, storeEnv } from '../support/harness';

const READ_KEY = 'test-key-read';

/** A split three ways (two offers and a holdout), then a wait a goal event can end: what the results count. */
const JOURNEY = splitJourney('results-test', 'results_test', ['discount', 'extension']);

/** Results through the API (read scope) and `waymark journeys results`, from visibility counts and the send ledger of real runs. */
describe('journey results on the dev server', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let version: string;
  const run = randomUUID().slice(0, 8);
  const customers = Array.from({ length: 30 }, (_, i) => `results-${run}-${i}`);
  const pathOf = (customerId: string) => pickPath(JOURNEY.steps.offer_test.paths, JOURNEY.id, 'offer_test', customerId).name;
  // Every second customer buys (the goal): the conversions per path follow from the split's own assignment.
  const buyers = customers.filter((_, i) => i % 2 === 0);
  const get = async (path: string, key = READ_KEY) => {
    const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    api = await apiOnDevServer({ WAYMARK_JOURNEYS_DIR: journeysDir([JOURNEY]), WAYMARK_API_KEYS: `${KEY}:events,${READ_KEY}:read` });
    version = (await new JourneyStore(api.deps.store).states()).find((s) => s.journeyId === JOURNEY.id)!.currentVersion;
    await api.post('/v1/events/batch', { events: customers.map((c) => makeEvent('results_test_entered', c, Date.now())) });
    const waiting = `JourneyId = '${JOURNEY.id}' AND JourneyStep = 'wait_for_click' AND ExecutionStatus = 'Running'`;
    await eventually(async () => ((await api.client.workflow.count(waiting)).count === customers.length ? true : undefined), 'every run waiting for the click', 60_000);
    await api.post('/v1/events/batch', { events: buyers.map((c) => makeEvent('results_test_bought', c, Date.now())) });
    const bought = `JourneyId = '${JOURNEY.id}' AND JourneyStatus = 'converted'`;
    await eventually(async () => ((await api.client.workflow.count(bought)).count === buyers.length ? true : undefined), 'the buyers converted', 60_000);
    // A run records its end in the store before it completes.
    const ended = `JourneyId = '${JOURNEY.id}' AND ExecutionStatus = 'Completed'`;
    await eventually(async () => ((await api.client.workflow.count(ended)).count === buyers.length ? true : undefined), "the buyers' runs completed", 60_000);
  });
  afterAll(() => api?.close());

  it('counts the runs, the step where each waits, the sends per step and each path\'s conversion with its interval, test and lift', async () => {
    const { status, body } = await get(`/v1/journeys/${JOURNEY.id}/results`);
    expect(status).toBe(200);
    const results = body as unknown as JourneyResults;
    expect(results.version).toBe(version);
    const n = customers.length;
    expect(results.runs).toEqual({ entered: n, active: n - buyers.length, converted: buyers.length, exited: 0, completed: 0, other: 0 });
    const assigned = (path: string) => customers.filter((c) => pathOf(c) === path);
    const steps = Object.fromEntries(results.steps.map((s) => [s.step, s]));
    expect(steps.wait_for_click).toMatchObject({ kind: 'wait_for_event', here: n - buyers.length, sent: 0 });
    expect(steps.offer_discount).toMatchObject({ here: 0, sent: assigned('discount').length });
    expect(steps.offer_extension).toMatchObject({ here: 0, sent: assigned('extension').length });
    // Went through each step (the store's path projection): the holdout's split is recorded before its
    // wait, each send with itself, the wait by the runs that left it; a converted run ends before `done`.
    expect(Object.fromEntries(results.steps.map((s) => [s.step, s.passed]))).toEqual({
      offer_test: n,
      offer_discount: assigned('discount').length,
      offer_extension: assigned('extension').length,
      wait_for_click: buyers.length,
      done: 0,
    });
    expect(results.steps.map((s) => s.step)).toEqual(['offer_test', 'offer_discount', 'wait_for_click', 'done', 'offer_extension']);
    // Where runs ended: the buyers converted while waiting for the click; no one exited.
    expect(results.steps.map((s) => [s.step, s.converted, s.exited])).toEqual(results.steps.map((s) => [s.step, s.step === 'wait_for_click' ? buyers.length : 0, 0]));

    const [split] = results.splits;
    expect(split).toMatchObject({ step: 'offer_test', baseline: 'holdout', confidence: 0.95 });
    const holdout = { entered: assigned('holdout').length, conversions: assigned('holdout').filter((c) => buyers.includes(c)).length };
    for (const name of ['discount', 'extension', 'holdout']) {
      const counts = { entered: assigned(name).length, conversions: assigned(name).filter((c) => buyers.includes(c)).length };
      const variant = split!.variants.find((v) => v.name === name)!;
      expect(variant).toMatchObject({ ...counts, interval: wilsonInterval(counts.conversions, counts.entered), active: counts.entered - counts.conversions, exited: 0 });
      if (name !== 'holdout') expect(variant.test).toEqual(twoProportionTest(counts, holdout));
    }
    expect(split!.variants.reduce((sum, v) => sum + v.entered, 0)).toBe(n);
    expect(Object.keys(results.definitions)).toEqual(expect.arrayContaining(['entered', 'converted', 'here', 'sent', 'splits']));
    // The answer is what docs/openapi.yaml says it is.
    expect(departures(body, 'JourneyResults')).toEqual([]);
    expect(OPENAPI_PATHS).toContain('/v1/journeys/{journeyId}/results');
  });

  it('counts only the runs that entered in the range asked for', async () => {
    const before = new Date(Date.now() - 86_400_000).toISOString();
    const { body } = await get(`/v1/journeys/${JOURNEY.id}/results?from=2020-01-01&to=${before}`);
    expect((body as unknown as JourneyResults).runs.entered).toBe(0);
  });

  it('refuses a key without the read scope, a bad date, a bad level and a journey that does not exist, naming the field', async () => {
    expect(await get(`/v1/journeys/${JOURNEY.id}/results`, KEY)).toMatchObject({ status: 403, body: { error: { code: 'API_KEY_FORBIDDEN', message: expect.stringContaining('"read" scope') } } });
    const badDate = await get(`/v1/journeys/${JOURNEY.id}/results?from=yesterday`);
    expect(badDate).toMatchObject({ status: 422, body: { error: { code: 'FIELD_FORMAT', path: 'query.from' } } });
    expect(departures(badDate.body, 'Error')).toEqual([]);
    expect(await get(`/v1/journeys/${JOURNEY.id}/results?from=2026-12-02&to=2026-12-01`)).toMatchObject({ status: 422, body: { error: { path: 'query.from' } } });
    expect(await get(`/v1/journeys/${JOURNEY.id}/results?confidence=95`)).toMatchObject({ status: 422, body: { error: { path: 'query.confidence' } } });
    expect(await get(`/v1/journeys/${JOURNEY.id}/results?version=nothex`)).toMatchObject({ status: 404, body: { error: { code: 'JOURNEY_NOT_FOUND', path: 'query.version' } } });
    expect(await get('/v1/journeys/no-such-journey/results')).toMatchObject({ status: 404, body: { error: { code: 'JOURNEY_NOT_FOUND', path: 'path.journeyId' } } });
    // The read scope does not send events.
    const refused = await api.post('/v1/events', makeEvent('results_test_entered', `results-${run}-x`, Date.now()), { authorization: `Bearer ${READ_KEY}` });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'API_KEY_FORBIDDEN' } } });
  });

  it('`waymark journeys results` prints the same figures, and the JSON the API answers', async () => {
    const env = { ...storeEnv(api.config), WAYMARK_TEMPORAL_ADDRESS: api.config.temporal.address, WAYMARK_LOG_LEVEL: 'silent' };
    const text = await runWaymark(['journeys', 'results', JOURNEY.id], env);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`entered ${customers.length}, active ${customers.length - buyers.length}, converted ${buyers.length} (50.0%)`);
    expect(text.stdout).toMatch(/split offer_test: conversion by path \(95\.0% intervals; test and lift against holdout\)/);
    const json = await runWaymark(['journeys', 'results', `${JOURNEY.id}@${version.slice(0, 6)}`, '--json'], env);
    expect((JSON.parse(json.stdout) as JourneyResults).runs.converted).toBe(buyers.length);
    const wrong = await runWaymark(['journeys', 'results', JOURNEY.id, '--from', 'last week'], env);
    expect({ code: wrong.code, stderr: wrong.stderr.trim() }).toEqual({ code: 1, stderr: '--from: "last week" is not an ISO 8601 date or time (e.g. 2026-12-01 or 2026-12-01T09:00:00Z)' });
  });
  // Last: it deletes a run, which the counts above would miss.
  it("keeps a customer's path after Temporal no longer has the run: waymark customer reads it from the store", async () => {
    const [buyer] = buyers;
    const workflowId = `journey/${JOURNEY.id}/${buyer}`;
    const { runId } = await api.client.workflow.getHandle(workflowId).describe();
    await api.client.workflowService.deleteWorkflowExecution({ namespace: api.config.temporal.namespace, workflowExecution: { workflowId, runId } });
    await eventually(async () => ((await api.client.workflow.getHandle(workflowId).describe().catch(() => undefined)) ? undefined : true), 'the run deleted', 30_000);
    const out = await runWaymark(['customer', buyer!], { ...storeEnv(api.config), WAYMARK_TEMPORAL_ADDRESS: api.config.temporal.address, WAYMARK_LOG_LEVEL: 'silent' });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`entered .* \\(version ${version}\\), converted \\(goal bought reached\\)`));
    expect(out.stdout).toMatch(new RegExp(`offer_test +split +path ${pathOf(buyer!)}`));
    expect(out.stdout).toMatch(/wait_for_click +wait_for_event +received results_test_bought|wait_for_click +wait_for_event +interrupted/);
  });
});
