import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobIdOf, type Warehouse } from '../../src/warehouse/port';

/**
 * What every warehouse adapter must do, run against each (duckdb.test.ts, bigquery.test.ts):
 * the same statements, the same files, the same expected rows.
 */
export interface KnownGaps {
  /** Why this server keeps rows re-sent under the same insertId (the emulator ignores insertIds; BigQuery drops them, best effort). */
  insertIdsIgnored?: string;
}

export function warehouseContract(open: () => Promise<Warehouse>, gaps: KnownGaps = {}): void {
  let warehouse: Warehouse;
  let n = 0;
  const table = () => `contract.t${++n}_${process.pid}`;
  const job = (what: string) => jobIdOf(what, String(process.pid), String(Date.now()));
  beforeAll(async () => {
    warehouse = await open();
    await warehouse.execute('CREATE SCHEMA IF NOT EXISTS contract', { jobId: job(`contract_schema_${Date.now()}`) });
  });
  afterAll(() => warehouse?.close());

  test('rows come back with numbers as numbers, timestamps as ISO strings in UTC, dates as YYYY-MM-DD, nulls as null', async () => {
    const rows = await warehouse.query(
      "SELECT 3 AS i, 2.5 AS f, 'x' AS s, TRUE AS b, TIMESTAMP '2026-03-01 10:15:00+00' AS ts, DATE '2026-03-01' AS d, CAST(NULL AS STRING) AS nothing",
    );
    expect(rows).toEqual([{ i: 3, f: 2.5, s: 'x', b: true, ts: '2026-03-01T10:15:00.000Z', d: '2026-03-01', nothing: null }]);
  });

  test('named parameters bind strings, numbers and null', async () => {
    const rows = await warehouse.query('SELECT @name AS name, @n + 1 AS next, @missing IS NULL AS is_null', { name: 'ada', n: 41, missing: null });
    expect(rows).toEqual([{ name: 'ada', next: 42, is_null: true }]);
  });

  test('a MERGE run twice under the same job id leaves one row per key', async () => {
    const t = table();
    await warehouse.execute(`CREATE TABLE ${t} (k STRING, v INT64)`, { jobId: job(`create_${t}_${Date.now()}`) });
    const merge = `MERGE ${t} T USING (SELECT 'a' AS k, 1 AS v UNION ALL SELECT 'b', 2) S ON T.k = S.k
      WHEN NOT MATCHED THEN INSERT (k, v) VALUES (S.k, S.v)`;
    const jobId = job(`merge_${t}`);
    await warehouse.execute(merge, { jobId });
    await warehouse.execute(merge, { jobId });
    expect(await warehouse.query(`SELECT k, v FROM ${t} ORDER BY k`)).toEqual([{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
  });

  test('loading a JSON Lines file replaces the table, ignores unknown fields and leaves missing ones null', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'contract-'));
    const file = path.join(dir, 'rows.ndjson');
    const t = table();
    const columns = [{ name: 'id', type: 'STRING' as const }, { name: 'amount', type: 'STRING' as const }];
    fs.writeFileSync(file, '{"id":"1","amount":"9.5","extra":"x"}\n{"id":"2"}\n');
    expect(await warehouse.loadNdjson(t, file, columns, job(`load_${t}_a`))).toBe(2);
    fs.writeFileSync(file, '{"id":"3","amount":"1"}\n');
    expect(await warehouse.loadNdjson(t, file, columns, job(`load_${t}_b`))).toBe(1);
    expect(await warehouse.query(`SELECT id, amount FROM ${t} ORDER BY id`)).toEqual([{ id: '3', amount: '1' }]);
    fs.writeFileSync(file, '{"id":"1","amount":"9.5","extra":"x"}\n{"id":"2"}\n');
    await warehouse.loadNdjson(t, file, columns, job(`load_${t}_c`));
    expect(await warehouse.query(`SELECT id, amount FROM ${t} ORDER BY id`)).toEqual([{ id: '1', amount: '9.5' }, { id: '2', amount: null }]);
  });

  test('rows inserted again under the same insertId are not duplicated', async () => {
    if (gaps.insertIdsIgnored) {
      console.info(`insertId deduplication not checked here: ${gaps.insertIdsIgnored}`);
    }
    const t = table();
    await warehouse.execute(`CREATE TABLE ${t} (insert_id STRING, batch STRING, n INT64)`, { jobId: job(`create_${t}_${Date.now()}`) });
    const rows = [{ insertId: 'b1-1', row: { batch: 'b1', n: 1 } }, { insertId: 'b1-2', row: { batch: 'b1', n: 2 } }];
    await warehouse.insertRows(t, rows);
    if (!gaps.insertIdsIgnored) await warehouse.insertRows(t, rows);
    expect(await warehouse.query(`SELECT batch, n FROM ${t} ORDER BY n`)).toEqual([{ batch: 'b1', n: 1 }, { batch: 'b1', n: 2 }]);
  });

  test('a transaction script applies all of its statements, and a failing one applies none', async () => {
    const t = table();
    await warehouse.execute(`CREATE TABLE ${t} (k STRING)`, { jobId: job(`create_${t}_${Date.now()}`) });
    await warehouse.execute(`INSERT INTO ${t} (k) VALUES ('old')`, { jobId: job(`seed_${t}_${Date.now()}`) });
    await warehouse.execute(`BEGIN TRANSACTION;\nDELETE FROM ${t} WHERE TRUE;\nINSERT INTO ${t} (k) VALUES ('new');\nCOMMIT TRANSACTION;`, { jobId: job(`swap_${t}_${Date.now()}`) });
    expect(await warehouse.query(`SELECT k FROM ${t}`)).toEqual([{ k: 'new' }]);
    const failing = `BEGIN TRANSACTION;\nDELETE FROM ${t} WHERE TRUE;\nINSERT INTO ${t} (k) SELECT CAST(ERROR('refused') AS STRING);\nCOMMIT TRANSACTION;`;
    await expect(warehouse.execute(failing, { jobId: job(`fail_${t}_${Date.now()}`) })).rejects.toThrow(/refused/);
    expect(await warehouse.query(`SELECT k FROM ${t}`)).toEqual([{ k: 'new' }]);
  });

  test('scripts and queries called at once each run whole (steps of one batch may run side by side)', async () => {
    const tables = [table(), table(), table()];
    await Promise.all(tables.map((t) => warehouse.execute(`CREATE TABLE ${t} (k STRING)`, { jobId: job(`create_${t}`) })));
    const swap = (t: string) => `BEGIN TRANSACTION;\nDELETE FROM ${t} WHERE TRUE;\nINSERT INTO ${t} (k) VALUES ('a');\nINSERT INTO ${t} (k) VALUES ('b');\nCOMMIT TRANSACTION;`;
    const counts = await Promise.all([
      ...tables.map((t) => warehouse.execute(swap(t), { jobId: job(`swap_${t}`) }).then(() => 0)),
      ...tables.map((t) => warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`).then((rows) => rows[0]!.n)),
    ]);
    expect(counts.slice(tables.length).every((n) => n === 0 || n === 2)).toBe(true);
    for (const t of tables) expect(await warehouse.query(`SELECT k FROM ${t} ORDER BY k`)).toEqual([{ k: 'a' }, { k: 'b' }]);
  });
}
