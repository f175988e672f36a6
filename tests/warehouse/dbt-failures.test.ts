import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { findBatch, loadSource, startBatch } from '../../src/warehouse/batch';
import type { DirectBuilds } from '../../src/warehouse/dbt-direct';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { DBT_PROJECT } from '../../src/warehouse/python';
import { writeExports } from '../../src/warehouse/seed/generate';
import { startDirectBuildsProcess } from '../support/warehouse-python';

/**
 * How the transform fails, on real dbt (the activities' code, without Temporal): a node that fails
 * names itself; SQL the warehouse refuses and a project that does not compile cannot be fixed by a
 * retry; the DuckDB file held by another process can.
 */
describe('dbt transform failures', () => {
  let dir: string;
  let file: string;
  const started: DirectBuilds[] = [];

  /** dbt on a copy of the project with `edit` made to one file. */
  async function dbtWith(relative: string, edit: (sql: string) => string): Promise<DirectBuilds> {
    const project = path.join(fs.mkdtempSync(path.join(dir, 'project-')), 'warehouse');
    fs.cpSync(DBT_PROJECT, project, { recursive: true, filter: (from) => !/[/\\](target|logs)$/.test(from) });
    const target = path.join(project, relative);
    fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')));
    const dbt = await startDirectBuildsProcess(project);
    started.push(dbt);
    return dbt;
  }
  const request = () => ({ batchId: 'b1', target: { kind: 'duckdb' as const, duckdbFile: file, datasetPrefix: 'waymark_' } });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'dbt-failures-'));
    file = path.join(dir, 'warehouse.duckdb');
    writeExports({ landingDir: path.join(dir, 'landing'), customers: 40, seed: 2, asOf: '2026-03-31', eventsPerCustomer: 5, days: 30, exportId: 'b1' });
    const warehouse = await openDuckDb(file);
    const batch = (await findBatch(warehouse, path.join(dir, 'landing'), 'failures', 'b1'))!;
    await startBatch(warehouse, batch, loadConfig({}).health);
    for (const f of batch.files) await loadSource(warehouse, batch, f.source, loadConfig({}).warehouse.rows);
    await warehouse.close();
  });
  afterAll(() => Promise.all(started.map((d) => d.close())));

  test('SQL the warehouse refuses: the failure names the model, and is not worth a retry', async () => {
    const dbt = await dbtWith('models/marts/customer_health.sql', (sql) => sql.replace('days_quiet, orders_90d, open_tickets', 'days_quiet, orders_90d, open_tickets, no_such_column'));
    await expect(dbt.run('transform', request())).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/^transform: marts\.customer_health: .*no_such_column/s) });
  });

  test('a model that does not compile: the failure says so, and is not worth a retry', async () => {
    const dbt = await dbtWith('models/marts/journey_performance.sql', (sql) => sql.replace("ref('events')", "ref('no_such_model')"));
    await expect(dbt.run('transform', request())).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/^transform: dbt failed on .*warehouse\.duckdb: .*no_such_model/s) });
  });

  test('the DuckDB file held by another process: worth a retry, which then builds', async () => {
    const dbt = await dbtWith('models/marts/customer_health.sql', (sql) => sql);
    const holder = await openDuckDb(file);
    try {
      await expect(dbt.run('transform', request())).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/lock/i) });
    } finally {
      await holder.close();
    }
    const built = await dbt.run('transform', request());
    expect(Object.values(built.done).every((o) => o.advisory || ['success', 'pass'].includes(o.status))).toBe(true);
  });
});
