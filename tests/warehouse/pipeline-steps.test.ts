import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { findBatch, type Batch } from '../../src/warehouse/batch';
import { openDuckDb } from '../../src/warehouse/duckdb';
import type { Warehouse } from '../../src/warehouse/port';
import { runBatch } from '../../src/warehouse/run-batch';
import { writeExports } from '../../src/warehouse/seed/generate';

/** A batch's steps on DuckDB, in process (the workflow runs the same steps as activities). */
describe('ingestion batch on DuckDB', () => {
  let dir: string;
  let warehouse: Warehouse;
  const batchOf = async (id: string): Promise<Batch> => (await findBatch(warehouse, path.join(dir, 'landing'), randomUUID(), id))!;
  /** Every served table's rows, in a stable order: equal snapshots mean nothing changed. */
  const snapshot = async () => {
    const tables = ['waymark_staging.customer_360', 'waymark_staging.events', 'waymark_marts.customer_health', 'waymark_marts.ml_features', 'waymark_marts.journey_performance', 'waymark_marts.campaign_performance'];
    const counts = await Promise.all(tables.map(async (t) => [t, (await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n] as const));
    const health = await warehouse.query('SELECT customer_id, score, category, reasons FROM waymark_marts.customer_health ORDER BY customer_id');
    return { counts: Object.fromEntries(counts), health };
  };
  const rawCount = async () => (await warehouse.query<{ n: number }>('SELECT (SELECT COUNT(*) FROM waymark_raw.ga360_hits) + (SELECT COUNT(*) FROM waymark_raw.firebase_events) + (SELECT COUNT(*) FROM waymark_raw.salesforce_contacts) AS n'))[0]!.n;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-'));
    const landingDir = path.join(dir, 'landing');
    writeExports({ landingDir, customers: 150, seed: 7, asOf: '2026-03-31', eventsPerCustomer: 20, days: 60, exportId: 'day1' });
    writeExports({ landingDir, customers: 150, seed: 8, asOf: '2026-04-01', eventsPerCustomer: 20, days: 60, exportId: 'day2-corrupt', corrupt: true });
    warehouse = await openDuckDb(path.join(dir, 'warehouse.duckdb'));
  });
  afterAll(() => warehouse?.close());

  test('a batch is published; running the same batch again changes nothing and owes no events', async () => {
    const first = await runBatch(warehouse, await batchOf('day1'));
    expect(first.status).toBe('published');
    expect(first.status === 'published' && first.attributes).toBeGreaterThan(100);
    const [raw, served] = [await rawCount(), await snapshot()];

    const again = await runBatch(warehouse, await batchOf('day1'));
    expect(again).toMatchObject({ status: 'published', atRisk: 0, attributes: 0 });
    expect(await rawCount()).toBe(raw);
    expect(await snapshot()).toEqual(served);
  });

  test('one person is resolved across at least three sources, whatever the spelling of their email', async () => {
    const [person] = await warehouse.query<{ customer_id: string; email: string; sources: string; shopify_customer_id: string }>(
      "SELECT customer_id, email, sources, shopify_customer_id FROM waymark_staging.customer_360 WHERE sources LIKE '%firebase%' AND sources LIKE '%salesforce%' AND sources LIKE '%shopify%' ORDER BY customer_id LIMIT 1",
    );
    expect(person).toBeDefined();
    // Salesforce knows them by email (any case and spacing), Shopify by its id and email, Firebase by the shop's id only.
    const spellings = await warehouse.query<{ email: string }>('SELECT DISTINCT Email AS email FROM waymark_raw.salesforce_contacts WHERE LOWER(TRIM(Email)) = @email UNION ALL SELECT DISTINCT email FROM waymark_raw.shopify_orders WHERE LOWER(TRIM(email)) = @email', { email: person!.email });
    expect(spellings.length).toBeGreaterThanOrEqual(1);
    const appEvents = await warehouse.query<{ n: number }>("SELECT COUNT(*) AS n FROM waymark_raw.firebase_events WHERE user_id = @shop", { shop: person!.shopify_customer_id });
    const resolved = await warehouse.query<{ source: string; n: number }>('SELECT source, COUNT(*) AS n FROM waymark_staging.events WHERE customer_id = @id GROUP BY source ORDER BY source', { id: person!.customer_id });
    expect(appEvents[0]!.n).toBeGreaterThan(0);
    expect(resolved.map((r) => r.source)).toEqual(expect.arrayContaining(['firebase', 'shopify']));
    const ids = await warehouse.query<{ n: number }>('SELECT COUNT(DISTINCT customer_id) AS n FROM waymark_staging.customer_360 WHERE email = @email', { email: person!.email });
    expect(ids[0]!.n).toBe(1);
  });

  test('a corrupted batch is quarantined with the failing checks recorded, and the marts stay as they were', async () => {
    const before = await snapshot();
    const outcome = await runBatch(warehouse, await batchOf('day2-corrupt'));
    expect(outcome.status).toBe('quarantined');
    expect(outcome.status === 'quarantined' && outcome.reason).toMatch(/ga360_readable_times: \d+ failing row/);
    expect(await snapshot()).toEqual(before);
    const [recorded] = await warehouse.query<{ status: string; reason: string }>("SELECT status, reason FROM waymark_ops.batches WHERE batch_id = 'day2-corrupt'");
    expect(recorded).toEqual({ status: 'quarantined', reason: outcome.status === 'quarantined' ? outcome.reason : '' });
    // The quarantined rows stay in raw, held back: the next good batch is built without them.
    const next = await runBatch(warehouse, await batchOf('day1'));
    expect(next.status).toBe('published');
    expect(await snapshot()).toEqual(before);
  });
});
