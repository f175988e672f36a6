import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDatasetPrefix } from '../../src/warehouse/datasets';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { sqlFile } from '../../src/warehouse/models';
import { warehouseContract } from './contract';

describe('DuckDB warehouse adapter', () => {
  warehouseContract(() => openDuckDb(path.join(fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'duck-')), 'warehouse.duckdb')));
});

describe('dataset prefix', () => {
  test('with another prefix, the pipeline SQL creates and uses <prefix><layer> datasets', async () => {
    const base = await openDuckDb(':memory:');
    const warehouse = withDatasetPrefix(base, 'staging_env_');
    await warehouse.execute(sqlFile('setup'), { jobId: 'setup' });
    await warehouse.insertRows('waymark_ops.check_results', [{ insertId: 'r1:c1', row: { batch_id: 'b1', run_id: 'r1', check_name: 'c1', failing_rows: 0, sample: '[]' } }]);
    expect(await base.query('SELECT COUNT(*) AS n FROM staging_env_ops.batches')).toEqual([{ n: 0 }]);
    await expect(base.query('SELECT COUNT(*) AS n FROM waymark_ops.batches')).rejects.toThrow(/waymark_ops|batches/);
    expect(await base.query('SELECT check_name FROM staging_env_ops.check_results')).toEqual([{ check_name: 'c1' }]);
    // Text that merely looks like a dataset name is left alone.
    expect(await warehouse.query("SELECT 'waymark_raw.x' AS text")).toEqual([{ text: 'waymark_raw.x' }]);
    await warehouse.close();
  });
});
