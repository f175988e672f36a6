import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { eraseFromWarehouse, keysOf } from '../../src/warehouse/erase';
import type { Warehouse } from '../../src/warehouse/port';
import { micros, rows } from '../support/exports';
import { startDirectBuildsProcess } from '../support/warehouse-python';
import { said, warehouseWorld, type WarehouseWorld } from '../support/warehouse-world';

/**
 * A customer erased from a real DuckDB warehouse built by dbt: every row that names them, in
 * every table (raw exports, the last load, the build, the published models, the feature history,
 * the checks' failing rows, the pipeline's outbox), goes; the other customer stays; the next
 * batch rebuilds the models without them.
 */
let dbt: DirectBuilds;
beforeAll(async () => {
  dbt = await startDirectBuildsProcess();
}, 120_000);
afterAll(() => dbt?.close());

/** Ana: a Salesforce contact and lead, shop orders, app and web activity, Braze opens and a ticket (a padded, upper-case email in one of them); Bo: an order. */
function exportTwo(w: WarehouseWorld, id: string) {
  w.export(id, '2026-03-31', {
    salesforce_contacts: [rows.contact('003ANA', 'ana@erase.test', '2026-01-05T09:00:00Z')],
    salesforce_leads: [rows.lead('00QANA', ' ANA@erase.test ', 'Converted', { ConvertedContactId: '003ANA' })],
    shopify_orders: [rows.order('9100', 'shop-ana', 'ana@erase.test', '2026-03-30T10:00:00-05:00'), rows.order('9101', 'shop-bo', 'bo@keep.test', '2026-03-31T08:00:00-05:00')],
    firebase_events: [rows.app('fb-ana-1', 'shop-ana', micros('2026-03-29T12:00:00Z'))],
    ga360_hits: [rows.hit('hit-ana-1', 'shop-ana', '2026-03-29T12:00:00Z')],
    braze_engagement: [rows.open('br-ana-1', 'shop-ana', 'ana@erase.test', '2026-03-28T12:00:00Z')],
    // A ticket without a requester email fails a check: its row goes to the audit tables, where Ana's ticket must not stay either.
    zendesk_tickets: [rows.ticket('T-ana', 'ana@erase.test', 'open'), rows.ticket('T-none', '', 'open')],
  });
}

/** Every row of every base table, as text, per table: where a name could hide. */
async function everything(w: Warehouse): Promise<Record<string, string>> {
  const tables = await w.query<{ schema_name: string; table_name: string }>("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name LIKE 'waymark%'");
  const out: Record<string, string> = {};
  for (const t of tables) out[`${t.schema_name}.${t.table_name}`] = JSON.stringify(await w.query(`SELECT * FROM ${t.schema_name}.${t.table_name}`));
  return out;
}
const naming = (all: Record<string, string>, ...needles: string[]) => Object.keys(all).filter((t) => needles.some((n) => all[t]!.toLowerCase().includes(n.toLowerCase()))).sort();

describe('erasing a customer from the warehouse', () => {
  it('deletes every row naming them, in every layer, and the next batch does not bring them back', async () => {
    const w = warehouseWorld(dbt);
    exportTwo(w, 'e1');
    expect(said(await w.run('e1'))).toBe('published');
    const [ana] = await w.query<{ customer_id: string }>("SELECT customer_id FROM waymark_marts.customer_health WHERE email = 'ana@erase.test'");
    expect(ana).toBeDefined();
    const ANA = ['ana@erase.test', '003ANA', '00QANA', 'shop-ana', 'fb-ana-1', 'hit-ana-1', 'br-ana-1', 'T-ana', ana!.customer_id];
    const before = naming(await w.use(everything), ...ANA);
    expect(before).toEqual(expect.arrayContaining(['waymark_raw.salesforce_contacts', 'waymark_raw.zendesk_tickets', 'waymark_load.shopify_orders', 'waymark_staging.identity_links', 'waymark_marts.customer_health', 'waymark_marts.ml_features_history']));

    // Found through the product's customer id (the warehouse's, here); the profile's email is the other seed.
    const keys = await w.use((wh) => keysOf(wh, ana!.customer_id, undefined));
    expect([...keys.e].sort()).toEqual(['ana@erase.test']);
    expect([...keys.s]).toEqual(['shop-ana']);
    const erased = await w.use((wh) => eraseFromWarehouse(wh, 'waymark_', keys, 'test-1'));
    expect(Object.keys(erased).sort()).toEqual(before);

    const after = await w.use(everything);
    expect(naming(after, ...ANA)).toEqual([]);
    expect(naming(after, 'bo@keep.test')).toEqual(expect.arrayContaining(['waymark_raw.shopify_orders', 'waymark_marts.customer_health']));
    // Again: nothing left to delete.
    expect(await w.use(async (wh) => eraseFromWarehouse(wh, 'waymark_', await keysOf(wh, ana!.customer_id, 'ana@erase.test'), 'test-2'))).toEqual({});

    // The next batch (Bo again, and Cy, in as many rows per export as before: the row-count check compares) rebuilds every model from the raw layer: Ana does not come back.
    w.export('e2', '2026-04-01', {
      salesforce_contacts: [rows.contact('003CY', 'cy@keep.test', '2026-03-05T09:00:00Z')],
      salesforce_leads: [rows.lead('00QCY', 'cy@keep.test', 'Converted', { ConvertedContactId: '003CY' })],
      shopify_orders: [rows.order('9102', 'shop-bo', 'bo@keep.test', '2026-04-01T08:00:00-05:00'), rows.order('9103', 'shop-cy', 'cy@keep.test', '2026-03-31T10:00:00-05:00')],
      firebase_events: [rows.app('fb-cy-1', 'shop-cy', micros('2026-03-30T12:00:00Z'))],
      ga360_hits: [rows.hit('hit-cy-1', 'shop-cy', '2026-03-30T12:00:00Z')],
      braze_engagement: [rows.open('br-cy-1', 'shop-cy', 'cy@keep.test', '2026-03-29T12:00:00Z')],
      zendesk_tickets: [rows.ticket('T-cy', 'cy@keep.test', 'open'), rows.ticket('T-none-2', '', 'open')],
    });
    expect(said(await w.run('e2'))).toBe('published');
    expect(naming(await w.use(everything), ...ANA)).toEqual([]);
  });
});
