import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultsAnswer } from '../../src/api/results-routes';
import type { WarehouseKpis } from '../../src/results/warehouse-kpis';
import { prepareStore } from '../../src/runtime';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { apiOnDevServer, journeysDir, KEY } from '../support/api';
import { runWaymark } from '../support/cli';
import { storeEnv } from '../support/harness';
import { ENGAGEMENT, KPI_JOURNEY, ORDERS } from '../support/journey-kpi-export';
import { departures } from '../support/openapi';
import { startDirectBuildsProcess } from '../support/warehouse-python';
import { said, warehouseWorld } from '../support/warehouse-world';

const READ_KEY = 'test-key-read';

/** The journey whose Braze canvas the hand-made export's engagement names. */
const JOURNEY = {
  id: KPI_JOURNEY,
  name: 'KPI test',
  entry: { event: 'kpi_test_entered' },
  reentry: { policy: 'never' },
  goals: [{ event: 'kpi_test_bought', name: 'bought' }],
  start: 'welcome',
  steps: {
    welcome: { kind: 'send', channel: 'email', template: 'kpi-welcome', next: 'done' },
    done: { kind: 'exit' },
  },
};

/**
 * The results API and `waymark journeys results` with the warehouse's KPIs: before any batch the
 * answer says why they are unavailable and still answers; once a published warehouse is there, the
 * figures of its journey_performance mart.
 */
describe('journey results with the warehouse KPIs', () => {
  let dbt: DirectBuilds;
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let built: string;
  // Where the API looks for the DuckDB file: nothing there at first.
  const served = path.join(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'kpi-served-')), 'warehouse.duckdb');
  const get = async (url: string) => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${READ_KEY}` } });
    return { status: res.status, body: (await res.json()) as ResultsAnswer };
  };

  beforeAll(async () => {
    dbt = await startDirectBuildsProcess();
    const world = warehouseWorld(dbt);
    world.export('kpis', '2026-03-14', { braze_engagement: ENGAGEMENT, shopify_orders: ORDERS });
    expect(said(await world.run('kpis'))).toBe('published');
    built = world.file;
    api = await apiOnDevServer({ WAYMARK_JOURNEYS_DIR: journeysDir([JOURNEY]), WAYMARK_API_KEYS: `${KEY}:events,${READ_KEY}:read`, WAYMARK_DUCKDB_FILE: served }, undefined, { worker: false });
    await prepareStore(api.deps);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await dbt?.close();
  });

  it('answers the results with warehouse.unavailable (no_batch) while no batch has run, then with the mart\'s figures', async () => {
    const before = await get(`${api.url}/v1/journeys/${KPI_JOURNEY}/results`);
    expect(before.status).toBe(200);
    expect(before.body.runs).toBeDefined();
    expect(before.body.warehouse).toMatchObject({ mart: 'journey_performance', unavailable: { code: 'no_batch', reason: expect.stringContaining('no batch') } });
    expect(departures(before.body, 'JourneyResults')).toEqual([]);

    // The pipeline's file appears (the world's file is closed between its uses).
    fs.copyFileSync(built, served);
    const after = await get(`${api.url}/v1/journeys/${KPI_JOURNEY}/results`);
    expect(after.status).toBe(200);
    const kpis = after.body.warehouse as WarehouseKpis;
    expect(kpis.unavailable).toBeUndefined();
    expect(kpis.total).toEqual({ sends: 5, opens: 2, clicks: 2, conversions: 3, revenue: 165.6, openRate: 0.4, clickRate: 0.4, conversionRate: 0.6 });
    expect(kpis.steps.map((s) => [s.step, s.variant, s.revenue])).toEqual([['reminder', undefined, 120], ['welcome', 'control', 30.5], ['welcome', 'short', 15.1]]);
    expect(kpis.cutoff).toBe('2026-03-14');
    expect(departures(after.body, 'JourneyResults')).toEqual([]);
  });

  it('`waymark journeys results` prints the KPIs in a block of their own, and --json carries them', async () => {
    fs.copyFileSync(built, served);
    const env = { ...storeEnv(api.config), WAYMARK_TEMPORAL_ADDRESS: api.config.temporal.address, WAYMARK_DUCKDB_FILE: served, WAYMARK_LOG_LEVEL: 'silent' };
    const text = await runWaymark(['journeys', 'results', KPI_JOURNEY], env);
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/warehouse KPIs, all time \(not the range above\): mart journey_performance, batch \S+ published \S+, data to 2026-03-14\n/);
    expect(text.stdout).toMatch(/reminder \/ \(no variant\)\s+1\s+0\s+0\s+1\s+120\.00\s+100\.0%/);
    expect(text.stdout).toMatch(/total\s+5\s+2\s+2\s+3\s+165\.60\s+60\.0%/);
    const json = await runWaymark(['journeys', 'results', KPI_JOURNEY, '--json'], env);
    expect((JSON.parse(json.stdout) as ResultsAnswer).warehouse).toMatchObject({ total: { revenue: 165.6, conversions: 3 } });

    fs.rmSync(served);
    const none = await runWaymark(['journeys', 'results', KPI_JOURNEY], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('warehouse KPIs: unavailable (no_batch): no batch has been published on the warehouse yet');
  });
});
