import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { findBatch, type Batch } from '../../src/warehouse/batch';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import type { Row } from '../../src/warehouse/port';
import { runBatch, type DirectRun } from '../../src/warehouse/run-batch';
import { writeExports } from '../../src/warehouse/seed/generate';
import { directRunOn, startDirectBuildsProcess } from '../support/warehouse-python';

/**
 * A batch's steps on DuckDB with no Temporal (the workflow runs the same steps as activities):
 * load raw here, the transform by real dbt in a Python process, then the checks and the publish.
 */
describe('ingestion batch on DuckDB', () => {
  let dir: string;
  let dbt: DirectBuilds;
  let run: DirectRun;
  const query = <T extends Row>(sql: string, params?: Record<string, string>) => run.warehouse.use((w) => w.query<T>(sql, params));
  const batchOf = (id: string): Promise<Batch> => run.warehouse.use(async (w) => (await findBatch(w, path.join(dir, 'landing'), randomUUID(), id))!);
  const runBatchOf = async (id: string) => runBatch(run, await batchOf(id));
  /** Every served table's rows, in a stable order: equal snapshots mean nothing changed. */
  const snapshot = async () => {
    const tables = ['waymark_staging.customer_360', 'waymark_staging.events', 'waymark_marts.customer_health', 'waymark_marts.ml_features', 'waymark_marts.journey_performance', 'waymark_marts.campaign_performance'];
    const counts = await Promise.all(tables.map(async (t) => [t, (await query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n] as const));
    const health = await query('SELECT customer_id, score, category, reasons FROM waymark_marts.customer_health ORDER BY customer_id');
    return { counts: Object.fromEntries(counts), health };
  };
  const rawCount = async () => (await query<{ n: number }>('SELECT (SELECT COUNT(*) FROM waymark_raw.ga360_hits) + (SELECT COUNT(*) FROM waymark_raw.firebase_events) + (SELECT COUNT(*) FROM waymark_raw.salesforce_contacts) AS n'))[0]!.n;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'batch-'));
    const landingDir = path.join(dir, 'landing');
    writeExports({ landingDir, customers: 150, seed: 7, asOf: '2026-03-31', eventsPerCustomer: 20, days: 60, exportId: 'day1' });
    writeExports({ landingDir, customers: 150, seed: 8, asOf: '2026-04-01', eventsPerCustomer: 20, days: 60, exportId: 'day2-corrupt', corrupt: true });
    dbt = await startDirectBuildsProcess();
    run = directRunOn(path.join(dir, 'warehouse.duckdb'), dbt);
  });
  afterAll(async () => {
    await run?.warehouse.close();
    await dbt?.close();
  });

  test('a batch is published; running the same batch again changes nothing and owes no events', async () => {
    const first = await runBatchOf('day1');
    expect(first.status).toBe('published');
    expect(first.status === 'published' && first.attributes).toBeGreaterThan(100);
    const [raw, served] = [await rawCount(), await snapshot()];

    const again = await runBatchOf('day1');
    expect(again).toMatchObject({ status: 'published', atRisk: 0, attributes: 0 });
    expect(await rawCount()).toBe(raw);
    expect(await snapshot()).toEqual(served);
  });

  test('one person is resolved across at least three sources, whatever the spelling of their email', async () => {
    const [person] = await query<{ customer_id: string; email: string; sources: string; shopify_customer_id: string }>(
      "SELECT customer_id, email, sources, shopify_customer_id FROM waymark_staging.customer_360 WHERE sources LIKE '%firebase%' AND sources LIKE '%salesforce%' AND sources LIKE '%shopify%' ORDER BY customer_id LIMIT 1",
    );
    expect(person).toBeDefined();
    // Salesforce knows them by email (any case and spacing), Shopify by its id and email, Firebase by the shop's id only.
    const spellings = await query<{ email: string }>('SELECT DISTINCT Email AS email FROM waymark_raw.salesforce_contacts WHERE LOWER(TRIM(Email)) = @email UNION ALL SELECT DISTINCT email FROM waymark_raw.shopify_orders WHERE LOWER(TRIM(email)) = @email', { email: person!.email });
    expect(spellings.length).toBeGreaterThanOrEqual(1);
    const appEvents = await query<{ n: number }>("SELECT COUNT(*) AS n FROM waymark_raw.firebase_events WHERE user_id = @shop", { shop: person!.shopify_customer_id });
    const resolved = await query<{ source: string; n: number }>('SELECT source, COUNT(*) AS n FROM waymark_staging.events WHERE customer_id = @id GROUP BY source ORDER BY source', { id: person!.customer_id });
    expect(appEvents[0]!.n).toBeGreaterThan(0);
    expect(resolved.map((r) => r.source)).toEqual(expect.arrayContaining(['firebase', 'shopify']));
    const ids = await query<{ n: number }>('SELECT COUNT(DISTINCT customer_id) AS n FROM waymark_staging.customer_360 WHERE email = @email', { email: person!.email });
    expect(ids[0]!.n).toBe(1);
  });

  test('a corrupted batch is quarantined with the failing checks recorded, and the marts stay as they were', async () => {
    const before = await snapshot();
    const outcome = await runBatchOf('day2-corrupt');
    expect(outcome.status).toBe('quarantined');
    expect(outcome.status === 'quarantined' && outcome.reason).toMatch(/ga360_readable_times: \d+ failing row/);
    expect(await snapshot()).toEqual(before);
    const [recorded] = await query<{ status: string; reason: string }>("SELECT status, reason FROM waymark_ops.batches WHERE batch_id = 'day2-corrupt'");
    expect(recorded).toEqual({ status: 'quarantined', reason: outcome.status === 'quarantined' ? outcome.reason : '' });
    // What failed, from the rows dbt stored for the test: the unreadable rows themselves, counted (over a third of the hits of a corrupt export).
    const [check] = await query<{ failing_rows: number; sample: string }>("SELECT failing_rows, sample FROM waymark_ops.check_results WHERE batch_id = 'day2-corrupt' AND check_name = 'ga360_readable_times'");
    const [hits] = await query<{ n: number }>("SELECT COUNT(*) AS n FROM waymark_raw.ga360_hits WHERE _batch_id = 'day2-corrupt'");
    expect(check!.failing_rows).toBeGreaterThan(hits!.n * 0.2);
    const sample = JSON.parse(check!.sample) as Array<{ hitId: string; hitTimestamp: string | null; _batch_id: string }>;
    expect(sample).toHaveLength(3);
    for (const row of sample) expect(row).toEqual(expect.objectContaining({ hitId: expect.any(String), _batch_id: 'day2-corrupt' }));
    // The feature history keeps published batches only, under their as-of date.
    expect(await query('SELECT DISTINCT as_of FROM waymark_marts.ml_features_history')).toEqual([{ as_of: '2026-03-31' }]);
    // The quarantined rows stay in raw, held back: the next good batch is built without them.
    const next = await runBatchOf('day1');
    expect(next.status).toBe('published');
    expect(await snapshot()).toEqual(before);
  });
});
