import { randomUUID } from 'node:crypto';
import { openDuckDb } from '../../src/warehouse/duckdb';

/**
 * The pipeline worker's use of a DuckDB file, in a process of its own (DuckDB's lock is per
 * process): for `ms`, open the file read-write with the adapter, write a row, close it (a
 * checkpoint), again and again; then print what happened as one JSON line, every failed opening
 * with its message. `node --import tsx this DUCKDB_FILE MS`.
 */
async function main(): Promise<void> {
  const [file, ms] = process.argv.slice(2) as [string, string];
  const until = Date.now() + Number(ms);
  let opened = 0;
  const failures: string[] = [];
  while (Date.now() < until) {
    try {
      const warehouse = await openDuckDb(file);
      opened++;
      try {
        await warehouse.execute('CREATE TABLE IF NOT EXISTS waymark_ops.writer_probe (written_at STRING, note STRING)', { jobId: randomUUID() });
        await warehouse.execute('INSERT INTO waymark_ops.writer_probe VALUES (@written, @note)', { jobId: randomUUID(), params: { written: new Date().toISOString(), note: randomUUID().repeat(50) } });
      } finally {
        await warehouse.close();
      }
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  console.log(JSON.stringify({ opened, failures }));
}

void main();
