import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBigQuery } from '../../src/warehouse/bigquery';
import { buildModel, findBatch } from '../../src/warehouse/batch';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { sqlFile, transformModels } from '../../src/warehouse/models';
import { jobIdOf, type Warehouse } from '../../src/warehouse/port';
import { createRawSql, mergeRawSql } from '../../src/warehouse/raw';
import { writeExports } from '../../src/warehouse/seed/generate';
import { SOURCE_EXPORTS, loadColumns } from '../../src/warehouse/sources';
import { startBigQueryEmulator } from './emulator';

/**
 * The pipeline's own SQL (raw merge, staging, marts) on the same seeded export, on DuckDB and on
 * the BigQuery emulator: every mart row must be the same. (The bookkeeping scripts are left
 * out: bqemulator 1.4 does not bind parameters inside multi-statement scripts.)
 */
describe('staging and marts: same rows on DuckDB and BigQuery (emulator)', () => {
  let emulator: Awaited<ReturnType<typeof startBigQueryEmulator>>;
  const engines: Record<'duckdb' | 'bigquery', Warehouse> = {} as never;
  const QUERIES = {
    customer_360: 'SELECT * FROM waymark_build.customer_360 ORDER BY customer_id',
    events_per_source: 'SELECT source, event_type, COUNT(*) AS n FROM waymark_build.events GROUP BY source, event_type ORDER BY source, event_type',
    customer_health: 'SELECT * FROM waymark_build.customer_health ORDER BY customer_id',
    ml_features: 'SELECT * FROM waymark_build.ml_features ORDER BY customer_id, feature_date',
    journey_performance: 'SELECT * FROM waymark_build.journey_performance ORDER BY journey_id, step, variant',
    campaign_performance: 'SELECT * FROM waymark_build.campaign_performance ORDER BY week, campaign_id',
  };

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
    writeExports({ landingDir: dir, customers: 60, seed: 11, asOf: '2026-03-31', eventsPerCustomer: 10, days: 60, exportId: 'b1' });
    emulator = await startBigQueryEmulator('waymark-parity');
    engines.duckdb = await openDuckDb(path.join(dir, 'w.duckdb'));
    engines.bigquery = openBigQuery({ projectId: 'waymark-parity', location: 'US', apiEndpoint: emulator.endpoint, jobTimeoutMs: 60_000, requestTimeoutMs: 30_000 });
    for (const [name, w] of Object.entries(engines)) {
      const batch = (await findBatch(w, dir, `parity-${name}`, 'b1'))!;
      const job = (step: string) => jobIdOf('parity', name, step, String(Date.now()));
      await w.execute(sqlFile('setup'), { jobId: job('setup') });
      for (const s of SOURCE_EXPORTS) {
        await w.loadNdjson(`waymark_load.${s.name}`, batch.files.find((f) => f.source === s.name)!.path, loadColumns(s), job(`load_${s.name}`));
        await w.execute(createRawSql(s), { jobId: job(`create_${s.name}`) });
        await w.execute(mergeRawSql(s), { jobId: job(`merge_${s.name}`), params: { batch_id: 'b1', loaded_at: '2026-04-01 00:00:00+00' } });
      }
      for (const model of transformModels()) await buildModel(w, batch, model);
    }
  });
  afterAll(async () => {
    await engines.duckdb?.close();
    await emulator?.stop();
  });

  test.each(Object.entries(QUERIES))('%s', async (_name, sql) => {
    const duck = await engines.duckdb.query(sql);
    expect(duck.length).toBeGreaterThan(0);
    expect(await engines.bigquery.query(sql)).toEqual(duck);
  });
});
