import net from 'node:net';
import { openBigQuery } from '../../src/warehouse/bigquery';
import { freePort } from '../../src/free-port';
import { WarehouseError } from '../../src/warehouse/port';
import { startBigQueryEmulator } from './emulator';
import { warehouseContract } from './contract';

/** The official client against the emulator on loopback: the production adapter's query, parameter, MERGE, load and insert paths. */
describe('BigQuery warehouse adapter (emulator)', () => {
  let emulator: Awaited<ReturnType<typeof startBigQueryEmulator>>;
  beforeAll(async () => {
    emulator = await startBigQueryEmulator('waymark-test');
  });
  afterAll(() => emulator?.stop());
  warehouseContract(async () => openBigQuery({ projectId: 'waymark-test', location: 'US', apiEndpoint: emulator.endpoint, jobTimeoutMs: 30_000, requestTimeoutMs: 30_000 }), {
    insertIdsIgnored: 'bqemulator 1.4 does not deduplicate by insertId (BigQuery does, best effort); the pipeline relies on MERGE, not on insertIds',
  });
});

/** Warehouse down or slow: the adapter fails the call as worth another attempt, so the pipeline's activity retries with backoff. */
describe('BigQuery down or not answering', () => {
  const open = (endpoint: string) => openBigQuery({ projectId: 'waymark-test', location: 'US', apiEndpoint: endpoint, jobTimeoutMs: 1_000, requestTimeoutMs: 1_000 });

  test('an endpoint that takes the request and never answers: the call fails once its deadline passes, as retryable', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => held.push(socket)); // reads the request, answers nothing
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const warehouse = open(`http://127.0.0.1:${port}`);
      const started = Date.now();
      const query = await warehouse.query('SELECT 1 AS one').catch((err: unknown) => err);
      expect(query).toBeInstanceOf(WarehouseError);
      expect(query).toMatchObject({ retryable: true, message: 'BigQuery failed on "SELECT 1 AS one": BigQuery did not answer the query within 2s' });
      const insert = await warehouse.insertRows('waymark_ops.check_results', [{ insertId: 'a', row: { n: 1 } }]).catch((err: unknown) => err);
      expect(insert).toMatchObject({ retryable: true, message: expect.stringContaining('did not answer the insert within 1s') });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(held.length).toBeGreaterThanOrEqual(2); // both requests reached it
    } finally {
      held.forEach((s) => s.destroy());
      silent.close();
    }
  });

  test('an endpoint nothing listens on (BigQuery unreachable): the call fails as retryable', async () => {
    const failure = await open(`http://127.0.0.1:${await freePort()}`).execute('SELECT 1', { jobId: 'unreachable' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WarehouseError);
    expect(failure).toMatchObject({ retryable: true });
  });
});
