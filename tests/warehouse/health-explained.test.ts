import { loadConfig } from '../../src/config';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { runWaymark } from '../support/cli';
import { rows } from '../support/exports';
import { startDirectBuildsProcess } from '../support/warehouse-python';
import { said, warehouseWorld, type WarehouseWorld } from '../support/warehouse-world';

/**
 * Health's weights come from config, `waymark warehouse customer` says why a customer's health is
 * what it is (each sign's penalty, the batch, the identity keys), and a warehouse published before
 * the model gained columns keeps publishing.
 */

let dbt: DirectBuilds;
beforeAll(async () => {
  dbt = await startDirectBuildsProcess();
}, 120_000);
afterAll(() => dbt?.close());

/** A paying customer quiet for 50 days with an open ticket rated bad (score 25, at risk), and an active one. */
function exportQuietAndBusy(w: WarehouseWorld, id = 'explain') {
  w.export(id, '2026-03-31', {
    shopify_orders: [rows.order('7100', 'shop-q', 'Quiet@Shop.test', '2026-02-09T10:00:00-05:00'), rows.order('7101', 'shop-b', 'busy@shop.test', '2026-03-31T08:00:00-05:00')],
    salesforce_contacts: [rows.contact('003Q1', 'quiet@shop.test', '2026-01-05T09:00:00Z')],
    zendesk_tickets: [rows.ticket('T70', 'quiet@shop.test', 'open', { created_at: '2026-02-14T10:00:00Z', satisfaction_rating: 'bad' })],
  });
}

const health = async (w: WarehouseWorld, email: string) =>
  (await w.query<{ score: number; category: string; rating_penalty: number }>('SELECT score, category, rating_penalty FROM waymark_marts.customer_health WHERE email = @email', { email }))[0];

describe('health weights from config', () => {
  it('the defaults put the quiet customer at risk; without the bad-rating penalty they are only to watch', async () => {
    const byDefault = warehouseWorld(dbt);
    exportQuietAndBusy(byDefault);
    expect(said(await byDefault.run('explain'))).toBe('published');
    expect(await health(byDefault, 'quiet@shop.test')).toEqual({ score: 25, category: 'at_risk', rating_penalty: 15 });

    const lenient = warehouseWorld(dbt, loadConfig({}, { WAYMARK_HEALTH_BAD_RATING_PENALTY: '0', WAYMARK_HEALTH_WATCH_FROM: '35' }));
    exportQuietAndBusy(lenient);
    expect(said(await lenient.run('explain'))).toBe('published');
    expect(await health(lenient, 'quiet@shop.test')).toEqual({ score: 40, category: 'watch', rating_penalty: 0 });
  });

  it('a bad value stops the start, naming the variable', () => {
    expect(() => loadConfig({}, { WAYMARK_HEALTH_WATCH_FROM: '80' })).toThrow(/WAYMARK_HEALTH_WATCH_FROM.*must be below WAYMARK_HEALTH_HEALTHY_FROM \(70\)/);
    expect(() => loadConfig({}, { WAYMARK_LIFECYCLE_PAID_PLANS: 'Pro;Gold' })).toThrow(/WAYMARK_LIFECYCLE_PAID_PLANS="Pro;Gold": must be plan names in lower case/);
  });
});

describe('waymark warehouse customer', () => {
  it('explains a customer found by email, cus_ id or a source id: each sign, the batch, the keys', async () => {
    const w = warehouseWorld(dbt);
    exportQuietAndBusy(w);
    expect(said(await w.run('explain'))).toBe('published');
    const env = { WAYMARK_DUCKDB_FILE: w.file };
    const byEmail = await runWaymark(['warehouse', 'customer', ' QUIET@shop.test'], env);
    expect(byEmail.stderr).toBe('');
    expect(byEmail.code).toBe(0);
    const out = byEmail.stdout;
    expect(out).toMatch(/^Customer cus_[0-9a-f]{16} \(quiet@shop\.test\), as of 2026-03-31, published by batch explain$/m);
    expect(out).toMatch(/lifecycle\s+lapsed/);
    expect(out).toMatch(/health\s+25 at_risk: inactive 45 days; 1 open tickets; bad support rating; no email engagement in 30 days/);
    expect(out).toMatch(/40 {2}quiet\s+45 days since the last event/);
    expect(out).toMatch(/ 0 {2}orders\s+1 orders in the order window/);
    expect(out).toMatch(/10 {2}engagement\s+0 email opens/);
    expect(out).toMatch(/10 {2}tickets\s+1 open tickets/);
    expect(out).toMatch(/15 {2}rating\s+1 tickets rated bad/);
    // The ticket, opened after the last order, is the last sign of life.
    expect(out).toMatch(/last seen\s+2026-02-14T10:00:00\.000Z in zendesk, batch explain \(export of 2026-03-31\)/);
    expect(out).toMatch(/identity\s+3 keys: c:003Q1, e:quiet@shop\.test, s:shop-q/);

    const id = /Customer (cus_[0-9a-f]{16})/.exec(out)![1]!;
    for (const key of [id, '003Q1', 'shop-q']) expect((await runWaymark(['warehouse', 'customer', key], env)).stdout).toBe(out);

    const unknown = await runWaymark(['warehouse', 'customer', 'nobody@shop.test'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/No customer "nobody@shop\.test" in the published warehouse/);
  });

  it('on a warehouse where nothing was ever run, says so', async () => {
    const w = warehouseWorld(dbt);
    const result = await runWaymark(['warehouse', 'customer', 'a@b.test'], { WAYMARK_DUCKDB_FILE: w.file });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no batch has been run on this warehouse yet/);
  });
});

describe('a warehouse published before the model gained columns', () => {
  it('keeps publishing: the served tables gain the new columns', async () => {
    const w = warehouseWorld(dbt);
    exportQuietAndBusy(w, 'first');
    expect(said(await w.run('first'))).toBe('published');
    // As served before lifecycle stages, penalties, revenue, attribution and batch ids existed (new columns are added last; new tables are new).
    const added = {
      'waymark_marts.customer_health': ['lifecycle_stage', 'engaged_30d', 'bad_ratings', 'quiet_penalty', 'order_penalty', 'engagement_penalty', 'ticket_penalty', 'rating_penalty', 'last_seen_at', 'last_seen_source', 'last_seen_batch', 'batch_id'],
      'waymark_staging.customer_360': ['lifecycle_stage', 'revenue_to_date', 'paid_orders_to_date', 'email_engagements', 'profile_completeness'],
      'waymark_staging.events': ['batch_id'],
      'waymark_marts.campaign_performance': ['revenue_last_touch', 'revenue_linear', 'roas', 'roi'],
    };
    for (const [table, columns] of Object.entries(added)) for (const column of columns) await w.execute(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    for (const table of ['waymark_staging.identity_links', 'waymark_marts.attribution', 'waymark_marts.lead_scoring', 'waymark_marts.kpis']) await w.execute(`DROP TABLE ${table}`);
    exportQuietAndBusy(w, 'second');
    expect(said(await w.run('second'))).toBe('published');
    expect(await w.query("SELECT lifecycle_stage, batch_id FROM waymark_marts.customer_health WHERE email = 'busy@shop.test'")).toEqual([{ lifecycle_stage: 'active', batch_id: 'second' }]);
    expect(await w.query("SELECT lifecycle_stage, revenue_to_date FROM waymark_staging.customer_360 WHERE email = 'busy@shop.test'")).toEqual([{ lifecycle_stage: 'active', revenue_to_date: 120 }]);
  });
});
