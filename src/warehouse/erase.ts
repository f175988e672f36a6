import { jobIdOf, type Params, type Warehouse } from './port';
import { SOURCE_EXPORTS } from './sources';

/** The layers that may hold a person's rows (`waymark_<layer>`; a deployment's prefix replaces `waymark_`). */
const LAYERS = ['raw', 'load', 'build', 'staging', 'marts', 'ops', 'audit'] as const;
type Layer = (typeof LAYERS)[number];
type Kind = 'e' | 'c' | 'l' | 's' | 'customer' | 'identity';

/**
 * What each column name means in the modelled layers and in the audit tables (a check's failing
 * rows, copied from raw or modelled rows). Raw and load tables use their export's own declaration
 * (sources.ts `identifies`): there `customer_id` is the shop's id, not Waymark's.
 */
const MODELLED: Readonly<Record<string, Kind[]>> = { customer_id: ['customer'], email: ['e'], identity_key: ['identity'] };
const AUDIT: Readonly<Record<string, Kind[]>> = {
  ...MODELLED,
  customer_id: ['customer', 's'],
  requester_email: ['e'],
  external_id: ['s'],
  user_id: ['s'],
  userid: ['s'],
  contactid: ['c'],
  convertedcontactid: ['c'],
};

/** A person's keys in the warehouse, by kind. */
export type WarehouseKeys = Record<Kind, Set<string>>;

/** Rows deleted per table (`<dataset>.<table>`), only tables that had some. */
export type WarehouseErasure = Record<string, number>;

const missing = (err: unknown) => /does not exist|not found/i.test((err as Error).message);

/**
 * The person's keys: the customer id itself and the profile's email as seeds, then every identity
 * key of the warehouse customers they resolve to (published and last-built identity links).
 */
export async function keysOf(warehouse: Warehouse, customerId: string, email: string | undefined): Promise<WarehouseKeys> {
  const keys: WarehouseKeys = { e: new Set(), c: new Set(), l: new Set(), s: new Set(), customer: new Set([customerId]), identity: new Set() };
  if (email) keys.e.add(email.trim().toLowerCase());
  for (const layer of ['staging', 'build']) {
    const rows = await warehouse
      .query<{ customer_id: string; identity_key: string; key_kind: string; key_value: string; email: string | null }>(
        `SELECT customer_id, identity_key, key_kind, key_value, email FROM waymark_${layer}.identity_links
         WHERE customer_id IN (SELECT customer_id FROM waymark_${layer}.identity_links WHERE customer_id = @id OR identity_key = CONCAT('e:', @email))`,
        { id: customerId, email: email?.trim().toLowerCase() ?? '' },
      )
      .catch((err: unknown) => (missing(err) ? [] : Promise.reject(err)));
    for (const r of rows) {
      keys.customer.add(r.customer_id);
      keys.identity.add(r.identity_key);
      if (r.email) keys.e.add(r.email);
      if (r.key_kind in keys) keys[r.key_kind as 'e' | 'c' | 'l' | 's'].add(r.key_value);
    }
  }
  return keys;
}

/** Base tables (not views) of the layers, with their columns in lower case. */
async function tables(warehouse: Warehouse, prefix: string): Promise<Array<{ layer: Layer; table: string; columns: string[] }>> {
  const found: Array<{ layer: Layer; table: string; columns: string[] }> = [];
  for (const layer of LAYERS) {
    const rows =
      warehouse.engine === 'duckdb'
        ? await warehouse.query<{ table_name: string; column_name: string }>(
            `SELECT c.table_name, c.column_name FROM duckdb_columns() AS c JOIN duckdb_tables() AS t ON t.schema_name = c.schema_name AND t.table_name = c.table_name WHERE c.schema_name = @schema`,
            { schema: `${prefix}${layer}` },
          )
        : await warehouse
            .query<{ table_name: string; column_name: string }>(
              `SELECT c.table_name, c.column_name FROM waymark_${layer}.INFORMATION_SCHEMA.COLUMNS AS c JOIN waymark_${layer}.INFORMATION_SCHEMA.TABLES AS t USING (table_name) WHERE t.table_type = 'BASE TABLE'`,
            )
            .catch((err: unknown) => (missing(err) ? [] : Promise.reject(err)));
    const byTable = new Map<string, string[]>();
    for (const r of rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name.toLowerCase()]);
    for (const [table, columns] of byTable) found.push({ layer, table, columns });
  }
  return found;
}

/** The WHERE of a table's rows that hold one of the keys, with its parameters; undefined when the table identifies no one. */
function condition(layer: Layer, table: string, columns: string[], keys: WarehouseKeys): { where: string; params: Params } | undefined {
  const meaning: Record<string, Kind[]> =
    layer === 'raw' || layer === 'load'
      ? Object.fromEntries(Object.entries(SOURCE_EXPORTS.find((s) => s.name === table)?.identifies ?? {}).map(([column, kind]) => [column.toLowerCase(), [kind]]))
      : layer === 'audit'
        ? AUDIT
        : MODELLED;
  const params: Params = {};
  const terms: string[] = [];
  for (const column of columns) {
    const values = [...new Set((meaning[column] ?? []).flatMap((kind) => [...keys[kind]]))];
    if (!values.length) continue;
    const names = values.map((value) => {
      const name = `k${Object.keys(params).length}`;
      params[name] = value;
      return `@${name}`;
    });
    // Emails as the identity model reads them: lower case, without the spaces around them.
    const isEmail = (meaning[column] ?? []).includes('e');
    terms.push(`${isEmail ? `LOWER(TRIM(${column}))` : column} IN (${names.join(', ')})`);
  }
  return terms.length ? { where: terms.join(' OR '), params } : undefined;
}

/**
 * Deletes every row that names the person from the warehouse's tables: raw and load rows by their
 * export's identifying fields, modelled rows by customer id, email and identity key, a check's
 * failing rows by any of those. Views follow their tables. The next batch builds the models
 * without them; the incremental feature history keeps none either.
 */
export async function eraseFromWarehouse(warehouse: Warehouse, prefix: string, keys: WarehouseKeys, jobKey: string): Promise<WarehouseErasure> {
  const erased: WarehouseErasure = {};
  for (const { layer, table, columns } of await tables(warehouse, prefix)) {
    const match = condition(layer, table, columns, keys);
    if (!match) continue;
    const [{ n }] = (await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM waymark_${layer}.${table} WHERE ${match.where}`, match.params)) as [{ n: number }];
    if (Number(n) === 0) continue;
    await warehouse.execute(`DELETE FROM waymark_${layer}.${table} WHERE ${match.where}`, { jobId: jobIdOf('erase', jobKey, layer, table), params: match.params });
    erased[`${prefix}${layer}.${table}`] = Number(n);
  }
  return erased;
}
