import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { WithStandIn } from '../../src/scoring/fallback';
import { LocalModelScorer } from '../../src/scoring/local-scorer';
import type { Features, ScoreName } from '../../src/scoring/models';
import { ScoringError, type Score, type Scorer } from '../../src/scoring/port';
import { ModelRegistry } from '../../src/scoring/registry';
import { RuleScorer, RULES_VERSION } from '../../src/scoring/rules';
import { TrainingRefusedError, trainDirect } from '../../src/scoring/train-direct';
import { trainRequestFor } from '../../src/scoring/train-request';
import { Store } from '../../src/store/store';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { testConfig } from '../support/harness';
import { writeTrainingRows } from '../support/training-rows';
import { scorerContract } from './contract';

const RULES = { quietDays: 30, engagedEvents: 20 };
const BUSY: Features = { events_7d: 12, events_30d: 45, orders_30d: 2, revenue_30d: 160, tickets_30d: 0, days_since_active: 0 };

/** Real models for the contract: trained by the Python trainer on a DuckDB file, kept in a real store, run by onnxruntime-node. */
let store: Store;
let registry: ModelRegistry;
const scorers: LocalModelScorer[] = [];
beforeAll(async () => {
  const config = testConfig();
  const file = path.join(config.dataDir, 'training.duckdb');
  await writeTrainingRows(file, 120);
  store = new Store(config);
  registry = new ModelRegistry(store);
  const trainingConfig = loadConfig({}, { WAYMARK_DUCKDB_FILE: file, WAYMARK_TRAINING_MIN_ROWS: '50' });
  for (const model of ['churn', 'lead', 'value'] as const) {
    const version = await registry.register(await trainDirect(trainRequestFor(trainingConfig, model)), `test/${model}`);
    await registry.decide(model, version.version, 'champion', 'test', 'for the contract');
  }
}, 120_000);
afterAll(async () => {
  for (const s of scorers) await s.close();
  await store?.close();
});
const localScorer = () => {
  const scorer = new LocalModelScorer(registry, 60_000);
  scorers.push(scorer);
  return scorer;
};

scorerContract('rules (the stand-in)', () => new RuleScorer(RULES), { source: 'rule', version: () => /^rules@1$/ });
scorerContract('local model (onnxruntime-node, the registry’s champion)', localScorer, { source: 'model', version: (m) => new RegExp(`^${m}@1$`) });
scorerContract('local model, else rules, within a budget', () => new WithStandIn(localScorer(), new RuleScorer(RULES), 1_000), { source: 'model', version: (m) => new RegExp(`^${m}@1$`) });

/** A scorer that fails, or never answers: what a missing model or a hung endpoint looks like. */
const failing: Scorer = { name: 'broken', score: async () => Promise.reject(new ScoringError('endpoint refused')) };
const hung: Scorer = { name: 'hung', score: () => new Promise<Score>(() => undefined) };

describe('the stand-in', () => {
  it('answers for a failing scorer, saying why', async () => {
    const score = await new WithStandIn(failing, new RuleScorer(RULES), 1_000).score('churn', BUSY);
    expect(score).toEqual({ model: 'churn', value: 0, source: 'rule', version: RULES_VERSION, fallback: 'broken: endpoint refused' });
  });

  it('answers within the budget for a scorer that never does', async () => {
    const started = Date.now();
    const score = await new WithStandIn(hung, new RuleScorer(RULES), 50).score('lead', BUSY);
    expect(score).toEqual({ model: 'lead', value: 1, source: 'rule', version: RULES_VERSION, fallback: 'hung took longer than 50 ms' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers while no model has been promoted, naming the command that trains one', async () => {
    const empty = new LocalModelScorer(new ModelRegistry(new Store(testConfig())), 60_000);
    scorers.push(empty);
    await expect(empty.score('churn', BUSY)).rejects.toThrow('no churn model has been promoted yet (waymark models train churn)');
    expect(await new WithStandIn(empty, new RuleScorer(RULES), 1_000).score('churn', BUSY)).toMatchObject({ source: 'rule', fallback: 'local model: no churn model has been promoted yet (waymark models train churn)' });
  });

  it('follows a promotion within the refresh time', async () => {
    let now = 0;
    const scorer = new LocalModelScorer(registry, 1_000, () => now);
    scorers.push(scorer);
    expect((await scorer.score('value', BUSY)).version).toBe('value@1');
    const second = await registry.register({ ...(await trainDirect(trainRequestFor(loadConfig({}, { WAYMARK_DUCKDB_FILE: path.join(registryDir(), 'training.duckdb'), WAYMARK_TRAINING_MIN_ROWS: '50', WAYMARK_TRAINING_TREES: '20' }), 'value'))) }, 'test/value-2');
    await registry.decide('value', second.version, 'champion', 'test', 'newer');
    expect((await scorer.score('value', BUSY)).version).toBe('value@1'); // within the refresh time: the loaded one
    now += 1_001;
    expect((await scorer.score('value', BUSY)).version).toBe('value@2');
  }, 60_000);
});

describe("drift against the champion's training rows", () => {
  it('flags a feature whose rows moved (its PSI at or past the threshold) and not one that stayed', async () => {
    const config = loadConfig({}, { WAYMARK_DUCKDB_FILE: path.join(registryDir(), 'training.duckdb'), WAYMARK_TRAINING_MIN_ROWS: '50' });
    const champion = (await registry.champion('churn'))!;
    // A champion that saw every customer with no ticket at all: today's rows, with tickets, have moved.
    const baseline = { ...champion.featureStats, tickets_30d: { missing: 0, mean: 0, deciles: [0.5], shares: [1, 0] } };
    const trained = await trainDirect({ ...trainRequestFor(config, 'churn'), baseline, baselineVersion: champion.version });
    expect(trained.drift).toMatchObject({ against: champion.version, threshold: 0.2 });
    expect(trained.drift!.features.tickets_30d).toMatchObject({ large: true, psi: expect.any(Number) });
    expect(trained.drift!.features.tickets_30d!.psi).toBeGreaterThan(1);
    expect(trained.drift!.features.events_30d).toEqual({ psi: 0, large: false });
  }, 60_000);
});

describe('the trainer refusing rows it cannot learn from', () => {
  it('names the rows it had and the setting that asks for more; a retry would not help', async () => {
    const config = loadConfig({}, { WAYMARK_DUCKDB_FILE: path.join(registryDir(), 'training.duckdb'), WAYMARK_TRAINING_MIN_ROWS: '100000' });
    const refused = trainDirect(trainRequestFor(config, 'churn' satisfies ScoreName));
    await expect(refused).rejects.toThrow(TrainingRefusedError);
    await expect(refused).rejects.toThrow(/^the churn model: \d+ training rows, fewer than the 100000 needed \(WAYMARK_TRAINING_MIN_ROWS\)$/);
  });

  it('says so when no batch has been published: no warehouse file, or none with the training rows', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'empty-'));
    const missing = path.join(dir, 'none.duckdb');
    await expect(trainDirect(trainRequestFor(loadConfig({}, { WAYMARK_DUCKDB_FILE: missing }), 'lead'))).rejects.toThrow(`no warehouse at ${missing}: the models learn from a published batch`);
    const empty = path.join(dir, 'empty.duckdb');
    await (await openDuckDb(empty)).close();
    await expect(trainDirect(trainRequestFor(loadConfig({}, { WAYMARK_DUCKDB_FILE: empty }), 'lead'))).rejects.toThrow(`${empty} has no ml_training table yet`);
  });
});

function registryDir(): string {
  return store.config.dataDir;
}
