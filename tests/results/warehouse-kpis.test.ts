import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/free-port';
import { journeyKpis, KPI_DEFINITIONS, type JourneyWarehouseKpis, type WarehouseKpis } from '../../src/results/warehouse-kpis';
import { warehouseKpisReader } from '../../src/results/warehouse-reader';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { openBigQuery } from '../../src/warehouse/bigquery';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { duckDbSnapshots } from '../../src/warehouse/snapshot';
import { ROOT } from '../support/cli';
import { ENGAGEMENT, KPI_JOURNEY, ORDERS, workedOut } from '../support/journey-kpi-export';
import { runProcess } from '../support/processes';
import { startDirectBuildsProcess } from '../support/warehouse-python';
import { said, warehouseWorld, type WarehouseWorld } from '../support/warehouse-world';
import { startBigQueryEmulator } from '../warehouse/emulator';

/**
 * The journey KPIs the results carry, read from a real DuckDB warehouse whose journey_performance
 * mart dbt built from a hand-made export: the figures, revenue against a sum worked out from the
 * export, what the answer says when there is nothing to read, and that reading never holds up a
 * process writing the file (the pipeline worker).
 */

let dbt: DirectBuilds;
let world: WarehouseWorld;
const OPTIONS = { timeoutMs: 20_000 };

beforeAll(async () => {
  dbt = await startDirectBuildsProcess();
  world = warehouseWorld(dbt);
  world.export('kpis', '2026-03-14', { braze_engagement: ENGAGEMENT, shopify_orders: ORDERS });
  expect(said(await world.run('kpis'))).toBe('published');
}, 120_000);
afterAll(() => dbt?.close());

const available = (answer: JourneyWarehouseKpis): WarehouseKpis => {
  if (answer.unavailable) throw new Error(`KPIs unavailable: ${JSON.stringify(answer.unavailable)}`);
  return answer;
};

describe('journey KPIs from the journey_performance mart', () => {
  it('gives per step and variant and in total the sends, opens, clicks, last-touch conversions and revenue, with the rates', async () => {
    const kpis = available(await journeyKpis(duckDbSnapshots(world.file, 'waymark_'), KPI_JOURNEY, OPTIONS));
    expect(kpis.steps).toEqual([
      // ana's 120 goes to the reminder, her later send; her 30.50 to the welcome (the only send before it).
      { step: 'reminder', sends: 1, opens: 0, clicks: 0, conversions: 1, revenue: 120, openRate: 0, clickRate: 0, conversionRate: 1 },
      { step: 'welcome', variant: 'control', sends: 2, opens: 1, clicks: 1, conversions: 1, revenue: 30.5, openRate: 0.5, clickRate: 0.5, conversionRate: 0.5 },
      // bo's order 8 days after his send and di's order before hers are nobody's.
      { step: 'welcome', variant: 'short', sends: 2, opens: 1, clicks: 1, conversions: 1, revenue: 15.1, openRate: 0.5, clickRate: 0.5, conversionRate: 0.5 },
    ]);
    expect(kpis.total).toEqual({ sends: 5, opens: 2, clicks: 2, conversions: 3, revenue: 165.6, openRate: 0.4, clickRate: 0.4, conversionRate: 0.6 });
    const [batch] = await world.query<{ batch_id: string; updated_at: string }>("SELECT batch_id, updated_at FROM waymark_ops.batches WHERE status = 'published'");
    expect(kpis).toMatchObject({ mart: 'journey_performance', batchId: batch!.batch_id, asOf: batch!.updated_at, cutoff: '2026-03-14' });
    expect(Object.keys(kpis.definitions)).toEqual(expect.arrayContaining(['sends', 'opens', 'clicks', 'conversions', 'revenue', 'conversionRate', 'asOf']));
    expect(kpis.definitions.conversions).toContain('latest');
  });

  it('credits exactly the revenue worked out from the export, row by row and in total', async () => {
    const kpis = available(await journeyKpis(duckDbSnapshots(world.file, 'waymark_'), KPI_JOURNEY, OPTIONS));
    const expected = workedOut();
    const read = new Map(kpis.steps.map((s) => [`${s.step ?? ''}/${s.variant ?? ''}`, { sends: s.sends, opens: s.opens, clicks: s.clicks, conversions: s.conversions, revenue: s.revenue }]));
    const cents = (m: Map<string, { revenue: number }>) => [...m].map(([k, v]) => [k, Math.round(v.revenue * 100)]).sort();
    expect(cents(read)).toEqual(cents(expected));
    expect([...read.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, figures] of expected) expect(read.get(key)).toEqual({ ...figures, revenue: Math.round(figures.revenue * 100) / 100 });
    const total = [...expected.values()].reduce((sum, f) => sum + f.revenue, 0);
    expect(Math.round(kpis.total.revenue * 100)).toBe(Math.round(total * 100));
  });

  it('answers with no rows (not unavailable) for a journey the mart has never seen', async () => {
    const kpis = available(await journeyKpis(duckDbSnapshots(world.file, 'waymark_'), 'never-sent', OPTIONS));
    expect(kpis).toMatchObject({ steps: [], total: { sends: 0, opens: 0, clicks: 0, conversions: 0, revenue: 0 } });
    expect(kpis.total.conversionRate).toBeUndefined();
  });
});

describe('a warehouse with nothing to read', () => {
  const dir = () => fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'kpi-empty-'));

  it('says no_batch when there is no DuckDB file, and creates none', async () => {
    const file = path.join(dir(), 'warehouse.duckdb');
    const answer = await journeyKpis(duckDbSnapshots(file, 'waymark_'), KPI_JOURNEY, OPTIONS);
    expect(answer).toEqual({ mart: 'journey_performance', unavailable: { code: 'no_batch', reason: expect.stringContaining('no batch has been published') }, definitions: KPI_DEFINITIONS });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('says no_batch for a file with no published batch (tables missing, or a batch still running)', async () => {
    const file = path.join(dir(), 'warehouse.duckdb');
    const warehouse = await openDuckDb(file);
    await warehouse.execute('CREATE SCHEMA waymark_ops', { jobId: 'a' });
    await warehouse.close();
    expect(await journeyKpis(duckDbSnapshots(file, 'waymark_'), KPI_JOURNEY, OPTIONS)).toMatchObject({ unavailable: { code: 'no_batch' } });
    const again = await openDuckDb(file);
    await again.execute("CREATE TABLE waymark_ops.batches AS SELECT 'b1' AS batch_id, DATE '2026-03-31' AS as_of, 'running' AS status, CAST(NULL AS STRING) AS reason, CURRENT_TIMESTAMP() AS updated_at", { jobId: 'b' });
    await again.close();
    expect(await journeyKpis(duckDbSnapshots(file, 'waymark_'), KPI_JOURNEY, OPTIONS)).toMatchObject({ unavailable: { code: 'no_batch', reason: expect.stringContaining('no batch has been published') } });
  });
});

describe('reading while the pipeline writes', () => {
  it("never makes the writer's openings fail, and answers from a consistent copy or says busy", async () => {
    const expected = available(await journeyKpis(duckDbSnapshots(world.file, 'waymark_'), KPI_JOURNEY, OPTIONS));
    const writer = runProcess(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/support/duckdb-writer-child.ts'), world.file, '4000'], { cwd: ROOT, what: 'a DuckDB writer' });
    let done = false;
    void writer.finally(() => (done = true));
    const answers: JourneyWarehouseKpis[] = [];
    const snapshots = duckDbSnapshots(world.file, 'waymark_', { attempts: 1 });
    while (!done) answers.push(await journeyKpis(snapshots, KPI_JOURNEY, OPTIONS));
    const finished = await writer;
    expect(finished.stderr).toBe('');
    const report = JSON.parse(finished.stdout) as { opened: number; failures: string[] };
    expect(report.failures).toEqual([]);
    expect(report.opened).toBeGreaterThan(5);
    // A read that found the file changing says so; every other one has the published figures.
    const codes = answers.map((a) => a.unavailable?.code ?? 'read');
    expect(codes.filter((c) => c !== 'read' && c !== 'busy')).toEqual([]);
    expect(codes).toContain('read');
    for (const a of answers) if (!a.unavailable) expect(a).toEqual(expected);
  }, 60_000);
});

describe('a file that shrinks while it is copied', () => {
  it('ends the copy at the new end (Node\'s copyFile would spin forever) and says so', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'kpi-shrink-'));
    const [file, copyDir] = [path.join(dir, 'warehouse.duckdb'), path.join(dir, 'copies')];
    fs.mkdirSync(copyDir);
    fs.writeFileSync(file, Buffer.alloc(256 * 1024 * 1024, 1));
    const copying = () => fs.readdirSync(copyDir).some((d) => (fs.statSync(path.join(copyDir, d, 'warehouse.duckdb'), { throwIfNoEntry: false })?.size ?? 0) > 0);
    // As DuckDB does at a checkpoint that frees the file's last blocks: once the copy has begun.
    const cut = setInterval(() => {
      if (!copying()) return;
      fs.truncateSync(file, 4096);
      clearInterval(cut);
    }, 1);
    const started = Date.now();
    const answer = await journeyKpis(duckDbSnapshots(file, 'waymark_', { attempts: 1, copyDir }), KPI_JOURNEY, { timeoutMs: 20_000 });
    clearInterval(cut);
    expect(answer.unavailable?.code).toBe('busy');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fs.readdirSync(copyDir)).toEqual([]); // the copy is gone
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('on BigQuery (the emulator)', () => {
  it('reads the same SQL: no_batch before the tables, then the mart\'s rows and the batch', async () => {
    const emulator = await startBigQueryEmulator('waymark-test');
    try {
      const bigquery = openBigQuery({ projectId: 'waymark-test', location: 'US', apiEndpoint: emulator.endpoint, jobTimeoutMs: 30_000, requestTimeoutMs: 30_000 });
      const run = (sql: string) => bigquery.execute(sql, { jobId: `kpi_${Math.random().toString(36).slice(2)}` });
      const config = loadConfig({}, { WAYMARK_WAREHOUSE: 'bigquery', WAYMARK_BIGQUERY_PROJECT: 'waymark-test', WAYMARK_BIGQUERY_ENDPOINT: emulator.endpoint, WAYMARK_RESULTS_WAREHOUSE_TIMEOUT: '20s' });
      const read = warehouseKpisReader(config);
      expect(await read(KPI_JOURNEY)).toMatchObject({ unavailable: { code: 'no_batch' } });
      await run('CREATE SCHEMA IF NOT EXISTS waymark_ops');
      await run('CREATE SCHEMA IF NOT EXISTS waymark_marts');
      await run("CREATE TABLE waymark_ops.batches AS SELECT 'b1' AS batch_id, DATE '2026-03-14' AS as_of, 'published' AS status, TIMESTAMP '2026-03-14 06:00:00+00' AS updated_at");
      await run(
        "CREATE TABLE waymark_marts.journey_performance AS SELECT 'kpi-test' AS journey_id, 'welcome' AS step, CAST(NULL AS STRING) AS variant, 2 AS sends, 1 AS opens, 0 AS clicks, 1 AS conversions, 30.5 AS revenue",
      );
      expect(await read(KPI_JOURNEY)).toMatchObject({
        asOf: '2026-03-14T06:00:00.000Z',
        cutoff: '2026-03-14',
        batchId: 'b1',
        steps: [{ step: 'welcome', sends: 2, opens: 1, clicks: 0, conversions: 1, revenue: 30.5, conversionRate: 0.5 }],
        total: { sends: 2, revenue: 30.5 },
      });
    } finally {
      await emulator.stop();
    }
  });
});

describe('a warehouse that does not answer', () => {
  it('says timed_out once WAYMARK_RESULTS_WAREHOUSE_TIMEOUT has passed (BigQuery taking the request and never answering)', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const config = loadConfig({}, { WAYMARK_WAREHOUSE: 'bigquery', WAYMARK_BIGQUERY_PROJECT: 'waymark-test', WAYMARK_BIGQUERY_ENDPOINT: `http://127.0.0.1:${port}`, WAYMARK_RESULTS_WAREHOUSE_TIMEOUT: '1s' });
      const started = Date.now();
      const answer = await warehouseKpisReader(config)(KPI_JOURNEY);
      expect(answer).toMatchObject({ unavailable: { code: 'timed_out', reason: expect.stringContaining('WAYMARK_RESULTS_WAREHOUSE_TIMEOUT') } });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
