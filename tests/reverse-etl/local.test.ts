import path from 'node:path';
import { BrazeClient } from '../../src/channels/braze/client';
import type { ProfileStore } from '../../src/profiles/port';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { LocalReverseEtl } from '../../src/reverse-etl/local';
import { ReverseEtlError } from '../../src/reverse-etl/port';
import { Store } from '../../src/store/store';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { leaseWarehouse, type WarehouseLease } from '../../src/warehouse/lease';
import { BrazeServer } from '../support/braze-server';
import { testConfig } from '../support/harness';
import { reverseEtlContract } from './contract';

/** Scores as activities/pipeline/score-customers.ts leaves them: `count` customers of one model's table. */
const scoresOf = (model: string, count: number, version: string) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `cus_${String(i).padStart(3, '0')}`, score: Math.round((i / count) * 10_000) / 10_000, version: `${model}@${version}` }));
const VALUE = scoresOf('value', 30, '2');
const CHURN = [...scoresOf('churn', 80, '4'), { customer_id: 'bad id', score: 0.5, version: 'churn@4' }];

/**
 * The local sync on real parts: a DuckDB warehouse with the scores tables, the test run's
 * PostgreSQL for profiles, the Braze client against a Braze-compatible server on loopback.
 */
let store: Store;
let profiles: PgProfileStore;
let warehouse: WarehouseLease;
let braze: BrazeServer;
let brazeClient: BrazeClient;
/** While set, the store's writes wait for it to open: a run held in progress. */
let hold: { reached(): void; opened: Promise<void> } | undefined;
const gated: Pick<ProfileStore, 'mergeTraits'> = {
  mergeTraits: async (updates) => {
    if (hold) {
      hold.reached();
      await hold.opened;
    }
    return profiles.mergeTraits(updates);
  },
};
const local = (withBraze = true) => new LocalReverseEtl({ warehouse, datasetPrefix: 'waymark_', profiles: gated, ...(withBraze ? { braze: brazeClient } : {}), pageRows: 25 });

beforeAll(async () => {
  const config = testConfig();
  store = new Store(config);
  profiles = new PgProfileStore(store, config.profileKeepKeys, config.limits);
  const file = path.join(config.dataDir, 'scores.duckdb');
  const w = await openDuckDb(file);
  try {
    await w.execute('CREATE SCHEMA waymark_marts', { jobId: 'schema' });
    for (const [model, rows] of [['value', VALUE], ['churn', CHURN]] as const) {
      await w.execute(`CREATE TABLE waymark_marts.scores_${model} (customer_id VARCHAR, score DOUBLE, version VARCHAR, scored_at TIMESTAMP)`, { jobId: `table-${model}` });
      await w.execute(`INSERT INTO waymark_marts.scores_${model} VALUES ${rows.map((r) => `('${r.customer_id}', ${r.score}, '${r.version}', TIMESTAMP '2026-03-31 10:00:00')`).join(', ')}`, { jobId: `rows-${model}` });
    }
  } finally {
    await w.close();
  }
  warehouse = leaseWarehouse('duckdb', () => openDuckDb(file));
  braze = await BrazeServer.start();
  brazeClient = new BrazeClient({ url: braze.url, apiKey: braze.apiKey, timeoutMs: 5_000, rateLimitMaxWaitMs: 60_000, maxReasonChars: 300 });
});
afterAll(async () => {
  await warehouse?.close();
  await braze?.close();
  await store?.close();
});
afterEach(() => braze.clearScript());

/** One adapter for the contract's tests: a run it holds is one its next start follows. */
let contractAdapter: LocalReverseEtl | undefined;
reverseEtlContract('local (the warehouse scores into profiles in PostgreSQL and Braze attributes)', () => ({
  adapter: (contractAdapter ??= local()),
  sync: 'scores_value',
  model: 'value',
  unknownSync: 'scores_nope',
  rows: VALUE.length,
  holdRun: async () => {
    let open = () => undefined as void;
    const inside = new Promise<void>((reached) => (hold = { reached, opened: new Promise<void>((resolve) => (open = resolve)) }));
    const held = contractAdapter!.startOrFollow('scores_value');
    await inside;
    return {
      release: async () => {
        hold = undefined;
        open();
        return (await held).runId;
      },
    };
  },
  failNextRun: (reason) => braze.answerNext({ kind: 'rejected', status: 400, message: reason }),
  // One /users/track call per run: the table is smaller than Braze's 75 attributes a call.
  runs: () => braze.on('/users/track').length,
}));

describe('the local sync', () => {
  it("writes each customer's score and its model version into their profile and their Braze user, 75 a call", async () => {
    const from = braze.on('/users/track').length;
    const started = await local().startOrFollow('scores_churn');
    expect(started.status).toEqual({
      state: 'succeeded',
      rows: 80,
      summary: 'churn_score of 81 customers from waymark_marts.scores_churn: 80 profiles, 80 Braze users',
      warning: expect.stringMatching(/^1 profiles refused \(bad id: customerId: /),
    });
    expect(await profiles.get('cus_041')).toEqual({ churn_score: CHURN[41]!.score, churn_score_version: 'churn@4' });
    const calls = braze.on('/users/track').slice(from);
    expect(calls.map((c) => (c.body as { attributes: unknown[] }).attributes.length)).toEqual([75, 5]);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${braze.apiKey}`);
    expect((calls[0]!.body as { attributes: unknown[] }).attributes[41]).toEqual({ external_id: 'cus_041', churn_score: CHURN[41]!.score, churn_score_version: 'churn@4' });
  });

  it('writes profiles only when the Braze channel is not configured, and says so', async () => {
    const from = braze.received.length;
    const { status } = await local(false).startOrFollow('scores_value');
    expect(status).toEqual({ state: 'succeeded', rows: 30, summary: 'value_30d of 30 customers from waymark_marts.scores_value: 30 profiles, no Braze user (the Braze channel is not configured: WAYMARK_BRAZE_URL)' });
    expect(braze.received.length).toBe(from);
    expect(await profiles.get('cus_007')).toMatchObject({ value_30d: VALUE[7]!.score, value_30d_version: 'value@2' });
  });

  it('has Braze down retried (writing the same values again is harmless); a run it does not know is refused', async () => {
    braze.answerNext({ kind: 'server_error', status: 503 });
    const err = await local().startOrFollow('scores_value').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReverseEtlError);
    expect(err).toMatchObject({ code: 'BRAZE_SERVER_ERROR', retryable: true, message: expect.stringContaining('503') });
    expect(await local().startOrFollow('scores_value')).toMatchObject({ status: { state: 'succeeded', rows: 30 } });
    expect(await local().runStatus('scores_value', 'scores_value-elsewhere').catch((e: unknown) => e)).toMatchObject({ code: 'REVERSE_ETL_UNKNOWN_RUN', retryable: false });
  });
});
