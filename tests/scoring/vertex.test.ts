import fs from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { ConfigError, loadConfig } from '../../src/config';
import { SCORE_NAMES, type Features, type ScoreName } from '../../src/scoring/models';
import { OnnxModel } from '../../src/scoring/onnx';
import { ScoringError } from '../../src/scoring/port';
import { ModelRegistry } from '../../src/scoring/registry';
import { journeyScorer } from '../../src/scoring/scorer-for';
import { trainDirect } from '../../src/scoring/train-direct';
import { trainRequestFor } from '../../src/scoring/train-request';
import { VertexScorer } from '../../src/scoring/vertex';
import { WithStandIn } from '../../src/scoring/fallback';
import { RULES_VERSION, RuleScorer } from '../../src/scoring/rules';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { Store } from '../../src/store/store';
import { testConfig } from '../support/harness';
import { writeTrainingRows } from '../support/training-rows';
import { VertexServer } from '../support/vertex-server';
import { scorerContract } from './contract';

const ENDPOINT_IDS: Record<ScoreName, string> = { churn: '1001', lead: '1002', value: '1003' };
const DEPLOYED_MODEL = '4242';
/** Budget for calls that must succeed: far above a loaded machine's worst loopback call. */
const GENEROUS_MS = 10_000;
const BUSY: Features = { events_7d: 12, events_30d: 45, orders_30d: 2, revenue_30d: 160, tickets_30d: 0, days_since_active: 0 };
const NEVER_SEEN: Features = { events_7d: 0, events_30d: 3, orders_30d: 0, revenue_30d: 0, tickets_30d: 1, days_since_active: null };

/** The locally trained models (Python trainer, ONNX), served by the loopback Vertex AI endpoint. */
const hosted = new Map<ScoreName, OnnxModel>();
let server: VertexServer;
const closing: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  const file = path.join(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'vertex-')), 'training.duckdb');
  await writeTrainingRows(file, 120);
  const trainingConfig = loadConfig({}, { WAYMARK_DUCKDB_FILE: file, WAYMARK_TRAINING_MIN_ROWS: '50' });
  for (const model of SCORE_NAMES) {
    const trained = await trainDirect(trainRequestFor(trainingConfig, model));
    hosted.set(model, await OnnxModel.load(Buffer.from(trained.onnx, 'base64'), trained.kind, trained.features.length));
  }
  const endpoints = Object.fromEntries(SCORE_NAMES.map((m) => [ENDPOINT_IDS[m], m]));
  server = await VertexServer.start({ endpoints, predict: (model, rows) => hosted.get(model)!.predict(rows), deployedModelId: DEPLOYED_MODEL });
}, 120_000);
afterEach(() => server?.clearScript());
afterAll(async () => {
  for (const c of closing) await c.close();
  await server?.close();
  for (const model of hosted.values()) await model.release();
});

/** Settings for the loopback endpoint: every model deployed unless `endpoints` says otherwise. */
function vertexConfig(overrides: Record<string, string> = {}) {
  return loadConfig({}, {
    WAYMARK_SCORE_SOURCE: 'vertex',
    WAYMARK_SCORE_BUDGET_MS: String(GENEROUS_MS),
    WAYMARK_VERTEX_PROJECT: 'waymark-test',
    WAYMARK_VERTEX_LOCATION: 'europe-west4',
    WAYMARK_VERTEX_API_ENDPOINT: server.address,
    WAYMARK_VERTEX_INSECURE: 'true',
    WAYMARK_VERTEX_ENDPOINTS: SCORE_NAMES.map((m) => `${m}=${ENDPOINT_IDS[m]}`).join(','),
    // The process's breaker is shared by every test here: off, but in the test of the breaker, which makes its own.
    WAYMARK_CIRCUIT_FAILURES: '0',
    ...overrides,
  });
}
function vertexScorer(deadlineMs = GENEROUS_MS, overrides: Record<string, string> = {}): VertexScorer {
  const scorer = new VertexScorer(vertexConfig(overrides).scoring.vertex, deadlineMs);
  closing.push(scorer);
  return scorer;
}
/** The scorer journeys use, from config; its registry is never asked (the source is Vertex AI). */
function journeys(overrides: Record<string, string> = {}) {
  const config = vertexConfig(overrides);
  const scorer = journeyScorer(config, new ModelRegistry(new Store(config)));
  closing.push(scorer);
  return scorer;
}

const version = (m: ScoreName) => new RegExp(`^vertex:${ENDPOINT_IDS[m]}@${DEPLOYED_MODEL}$`);
scorerContract('Vertex AI endpoint (the real client, a loopback PredictionService)', () => vertexScorer(), { source: 'vertex', version });
scorerContract('Vertex AI, else rules: the scorer journeys use', () => journeys(), { source: 'vertex', version });

describe('the Vertex AI adapter', () => {
  it("calls the model's endpoint with one instance: the features in FEATURES order, null where unknown, within a deadline", async () => {
    const scorer = vertexScorer();
    const before = server.received.length;
    const score = await scorer.score('lead', NEVER_SEEN);
    expect(score).toEqual({ model: 'lead', value: expect.any(Number), source: 'vertex', version: 'vertex:1002@4242' });
    expect(score.value).toBeCloseTo(await hosted.get('lead')!.predict([[0, 3, 0, 0, 1, null]]).then(([p]) => p!), 6);
    const calls = server.received.slice(before);
    expect(calls).toEqual([{ endpoint: 'projects/waymark-test/locations/europe-west4/endpoints/1002', instances: [[0, 3, 0, 0, 1, null]], deadlineMs: expect.any(Number) }]);
    expect(calls[0]!.deadlineMs).toBeLessThanOrEqual(GENEROUS_MS);
    expect(calls[0]!.deadlineMs).toBeGreaterThan(0);
  });

  it('reads the prediction shapes of other containers, and refuses any other naming what came back', async () => {
    const scorer = vertexScorer();
    const answers: Array<[ScoreName, unknown, number]> = [
      ['churn', [0.25], 0.25],
      ['churn', [0.1, 0.9], 0.9],
      ['lead', { classes: ['false', 'true'], scores: [0.375, 0.625] }, 0.625],
      ['value', { value: 120.5, lower_bound: 80, upper_bound: 160 }, 120.5],
    ];
    for (const [model, prediction, expected] of answers) {
      server.answerNext({ kind: 'predictions', predictions: [prediction] });
      expect((await scorer.score(model, BUSY)).value).toBe(expected);
    }
    server.answerNext({ kind: 'predictions', predictions: [{ label: 'high' }] });
    await expect(scorer.score('churn', BUSY)).rejects.toThrow(new ScoringError('the churn endpoint 1001 answered [{"label":"high"}], not one probability: a number from 0 to 1, [p], [p(0), p(1)] or {"classes": [...], "scores": [...]} with a class "1" or "true"'));
    server.answerNext({ kind: 'predictions', predictions: [1.7] });
    await expect(scorer.score('churn', BUSY)).rejects.toThrow('the churn endpoint 1001 answered [1.7], not one probability');
  });

  it('stops a late call at its deadline', async () => {
    const scorer = vertexScorer(300);
    server.answerNext({ kind: 'slow', delayMs: 60_000 });
    const started = Date.now();
    await expect(scorer.score('churn', BUSY)).rejects.toThrow(/^the churn endpoint 1001 answered DEADLINE_EXCEEDED: /);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('the rule stand-in, for Vertex AI', () => {
  it('answers for a failing endpoint, with its gRPC status, after one call (no retries)', async () => {
    const scorer = journeys();
    for (const [code, name] of [[status.UNAVAILABLE, 'UNAVAILABLE'], [status.INVALID_ARGUMENT, 'INVALID_ARGUMENT']] as const) {
      const before = server.received.length;
      server.answerNext({ kind: 'fail', code, message: 'the deployed model refused' });
      expect(await scorer.score('churn', BUSY)).toEqual({ model: 'churn', value: 0, source: 'rule', version: RULES_VERSION, fallback: `Vertex AI: the churn endpoint 1001 answered ${name}: the deployed model refused` });
      expect(server.received.length - before).toBe(1);
    }
  });

  it('stops calling an endpoint that is down after repeated failures: the rules answer at once until the cool-down ends; a refusal on the merits does not count', async () => {
    const breaker = new CircuitBreaker('vertex', { failures: 2, cooldownMs: 60_000 });
    const vertex = new VertexScorer(vertexConfig().scoring.vertex, GENEROUS_MS, breaker);
    closing.push(vertex);
    const scorer = new WithStandIn(vertex, new RuleScorer({ quietDays: 30, engagedEvents: 20 }), GENEROUS_MS);
    const before = server.received.length;
    server.answerNext({ kind: 'fail', code: status.INVALID_ARGUMENT, message: 'bad instance' });
    server.answerNext({ kind: 'fail', code: status.UNAVAILABLE, message: 'down' });
    // A refusal, a failure, then an answer: never two failures in a row.
    expect([(await scorer.score('churn', BUSY)).source, (await scorer.score('churn', BUSY)).source, (await scorer.score('churn', BUSY)).source]).toEqual(['rule', 'rule', 'vertex']);
    expect(breaker.state).toBe('closed');
    server.answerNext({ kind: 'fail', code: status.UNAVAILABLE, message: 'down' }, { kind: 'fail', code: status.DEADLINE_EXCEEDED, message: 'late' });
    await scorer.score('churn', BUSY);
    expect(breaker.state).toBe('closed');
    await scorer.score('churn', BUSY);
    expect(breaker.state).toBe('open');
    const calls = server.received.length;
    expect(calls - before).toBe(5);
    expect(await scorer.score('churn', BUSY)).toMatchObject({ source: 'rule', fallback: expect.stringMatching(/^Vertex AI: the Vertex AI circuit is open after repeated failures \(no call for \d+s more\)$/) });
    expect(server.received.length).toBe(calls);
  });

  it('answers within the budget for a slow endpoint', async () => {
    const scorer = journeys({ WAYMARK_SCORE_BUDGET_MS: '300' });
    server.answerNext({ kind: 'slow', delayMs: 60_000 });
    const started = Date.now();
    const score = await scorer.score('lead', BUSY);
    expect(score).toMatchObject({ model: 'lead', value: 1, source: 'rule', version: RULES_VERSION });
    // The budget's timer and the call's deadline are the same length: either may say so first.
    expect(score.fallback).toMatch(/^Vertex AI (took longer than 300 ms|: the lead endpoint 1002 answered DEADLINE_EXCEEDED: )/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('answers for a model with no endpoint, naming the variable to set, without calling anything', async () => {
    const scorer = journeys({ WAYMARK_VERTEX_ENDPOINTS: 'churn=1001' });
    const before = server.received.length;
    expect(await scorer.score('value', BUSY)).toEqual({ model: 'value', value: 160, source: 'rule', version: RULES_VERSION, fallback: 'Vertex AI: no endpoint for the value model: add "value=<endpoint id>" to WAYMARK_VERTEX_ENDPOINTS' });
    expect(server.received.length).toBe(before);
  });

  it('is not what journeys use by default: the local model is, and says so while none is promoted', async () => {
    const config = testConfig({ WAYMARK_SCORE_BUDGET_MS: String(GENEROUS_MS) });
    const store = new Store(config);
    const scorer = journeyScorer(config, new ModelRegistry(store));
    try {
      expect(await scorer.score('churn', BUSY)).toMatchObject({ source: 'rule', fallback: 'local model: no churn model has been promoted yet (waymark models train churn)' });
    } finally {
      await scorer.close();
      await store.close();
    }
  });
});

describe('the Vertex AI settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({}, env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('stop the start when WAYMARK_SCORE_SOURCE=vertex lacks the project or the endpoints, naming the variable', () => {
    expect(problems({ WAYMARK_SCORE_SOURCE: 'vertex', WAYMARK_VERTEX_PROJECT: 'waymark-test' })).toEqual([expect.stringMatching(/^WAYMARK_VERTEX_ENDPOINTS="": must name an endpoint for at least one model when WAYMARK_SCORE_SOURCE=vertex/)]);
    expect(problems({ WAYMARK_SCORE_SOURCE: 'vertex', WAYMARK_VERTEX_ENDPOINTS: 'churn=1001' })).toEqual([expect.stringMatching(/^WAYMARK_VERTEX_PROJECT="": must be set when WAYMARK_SCORE_SOURCE=vertex/)]);
    expect(problems({})).toEqual([]);
  });

  it('refuse endpoints that are not "model=endpoint id", and plaintext to anything but loopback', () => {
    expect(problems({ WAYMARK_VERTEX_ENDPOINTS: 'churn=1001,spam=1002' })).toEqual([expect.stringMatching(/^WAYMARK_VERTEX_ENDPOINTS="churn=1001,spam=1002": entry 2 must be "model=endpoint id"/)]);
    expect(problems({ WAYMARK_VERTEX_ENDPOINTS: 'churn=1001,churn=1002' })).toEqual(['WAYMARK_VERTEX_ENDPOINTS="churn=1001,churn=1002": entry 2 names churn again: one endpoint per model']);
    expect(problems({ WAYMARK_VERTEX_INSECURE: 'true' })).toEqual([expect.stringMatching(/^WAYMARK_VERTEX_INSECURE="true": is "true" while WAYMARK_VERTEX_API_ENDPOINT \(us-central1-aiplatform.googleapis.com\) is not a loopback host:port/)]);
  });

  it("default to the location's regional endpoint", () => {
    expect(loadConfig({}, { WAYMARK_VERTEX_LOCATION: 'europe-west4' }).scoring.vertex).toEqual({ project: '', location: 'europe-west4', apiEndpoint: 'europe-west4-aiplatform.googleapis.com', endpoints: {}, insecure: false });
    expect(loadConfig({}, { WAYMARK_VERTEX_API_ENDPOINT: '127.0.0.1:8500', WAYMARK_VERTEX_INSECURE: 'true' }).scoring.vertex.apiEndpoint).toBe('127.0.0.1:8500');
  });
});
