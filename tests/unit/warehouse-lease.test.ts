import { leaseWarehouse } from '../../src/warehouse/lease';
import type { Warehouse } from '../../src/warehouse/port';

/** A warehouse that records when it is opened and closed (the real DuckDB file's turns are in tests/pipeline). */
function recorder() {
  const log: string[] = [];
  let n = 0;
  const open = async (): Promise<Warehouse> => {
    const id = ++n;
    log.push(`open ${id}`);
    await new Promise((r) => setTimeout(r, 5));
    return { close: async () => void log.push(`close ${id}`) } as unknown as Warehouse;
  };
  return { log, open };
}

describe('warehouse lease', () => {
  test('DuckDB: uses at the same time share one opening, closed once the last is done, before its result comes back', async () => {
    const { log, open } = recorder();
    const lease = leaseWarehouse('duckdb', open);
    const step = (name: string, ms: number) => lease.use(async () => {
      log.push(`${name} runs`);
      await new Promise((r) => setTimeout(r, ms));
      return name;
    });
    const results = await Promise.all([step('merge', 20), step('events', 40)]);
    log.push('results back');
    expect(results).toEqual(['merge', 'events']);
    expect(log).toEqual(['open 1', 'merge runs', 'events runs', 'close 1', 'results back']);
    await step('next stage', 1);
    expect(log.slice(-3)).toEqual(['open 2', 'next stage runs', 'close 2']);
  });

  test('DuckDB: a use that fails still closes; an opening that fails is tried again by the next use', async () => {
    const { log, open } = recorder();
    let refuse = true;
    const lease = leaseWarehouse('duckdb', () => (refuse ? Promise.reject(new Error('locked')) : open()));
    await expect(lease.use(async () => 'never')).rejects.toThrow('locked');
    refuse = false;
    await expect(lease.use(async () => Promise.reject(new Error('bad SQL')))).rejects.toThrow('bad SQL');
    expect(log).toEqual(['open 1', 'close 1']);
  });

  test('BigQuery: opened once and kept until close()', async () => {
    const { log, open } = recorder();
    const lease = leaseWarehouse('bigquery', open);
    await lease.use(async () => undefined);
    await lease.use(async () => undefined);
    expect(log).toEqual(['open 1']);
    await lease.close();
    expect(log).toEqual(['open 1', 'close 1']);
  });
});
