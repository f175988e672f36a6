import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBigQuery } from '../../src/warehouse/bigquery';
import { toDuckDb } from '../../src/warehouse/dialect';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { jobIdOf, type Warehouse } from '../../src/warehouse/port';
import { startBigQueryEmulator } from './emulator';
import { GOLDEN_CASES, GOLDEN_SETUP } from './golden-cases';

/** The same BigQuery SQL on the same golden data gives BigQuery's answer on both engines. */
describe('golden parity: DuckDB (transpiled) and BigQuery (emulator)', () => {
  let emulator: Awaited<ReturnType<typeof startBigQueryEmulator>>;
  const engines: Record<string, Warehouse> = {};
  beforeAll(async () => {
    emulator = await startBigQueryEmulator('waymark-golden');
    engines.duckdb = await openDuckDb(path.join(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'golden-')), 'w.duckdb'));
    engines.bigquery = openBigQuery({ projectId: 'waymark-golden', location: 'US', apiEndpoint: emulator.endpoint, jobTimeoutMs: 30_000, requestTimeoutMs: 30_000 });
    for (const w of Object.values(engines)) await w.execute(GOLDEN_SETUP, { jobId: jobIdOf('golden_setup', String(Date.now())) });
  });
  afterAll(async () => {
    for (const w of Object.values(engines)) await w.close();
    await emulator?.stop();
  });

  describe.each(['duckdb', 'bigquery'])('%s', (engine) => {
    const cases = GOLDEN_CASES.filter((c) => !c.skip?.[engine as 'duckdb' | 'bigquery']);
    test.each(cases.map((c) => [c.trap, c] as const))('%s', async (_trap, golden) => {
      expect(await engines[engine]!.query(golden.sql, golden.params)).toEqual(golden.rows);
    });
  });

  test('FORMAT is refused before DuckDB sees it (its placeholders differ)', async () => {
    await expect(toDuckDb("SELECT FORMAT('%s', plan) FROM golden.visits")).rejects.toThrow(/CONCAT/);
  });

  test('ARRAY_AGG(... LIMIT n) is refused before DuckDB sees it, with the rewrite to use', async () => {
    await expect(toDuckDb('SELECT ARRAY_AGG(day ORDER BY day DESC LIMIT 1) FROM golden.visits')).rejects.toThrow(/QUALIFY ROW_NUMBER/);
  });
});
