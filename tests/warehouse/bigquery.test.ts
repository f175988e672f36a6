import net from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { classify } from '../../activities/pipeline/classify';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker';
import { withBreaker } from '../../src/warehouse/guarded';
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

/** The pipeline worker's breaker for BigQuery: repeated outages stop the calls for the cool-down; refusals on the merits do not. */
describe('BigQuery behind its circuit breaker', () => {
  const guardedOn = (endpoint: string, breaker: CircuitBreaker) =>
    withBreaker(openBigQuery({ projectId: 'waymark-test', location: 'US', apiEndpoint: endpoint, jobTimeoutMs: 1_000, requestTimeoutMs: 1_000 }), breaker);

  test('after 2 failed calls the third fails at once, without a connection, as retryable at the cool-down\'s end; after it one trial goes', async () => {
    let connections = 0;
    const refusing = net.createServer((socket) => {
      connections++;
      socket.destroy(); // takes the connection and drops it: no answer, as an outage looks
    });
    const port = await freePort();
    await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', resolve));
    let now = 1_000_000;
    const breaker = new CircuitBreaker('bigquery', { failures: 2, cooldownMs: 60_000 }, undefined, () => now);
    try {
      const warehouse = guardedOn(`http://127.0.0.1:${port}`, breaker);
      for (let i = 0; i < 2; i++) await expect(warehouse.query('SELECT 1')).rejects.toMatchObject({ retryable: true, retryAfterMs: undefined });
      const reached = connections;
      expect(reached).toBeGreaterThanOrEqual(2);
      expect(breaker.state).toBe('open');
      const fast = await warehouse.execute('SELECT 1', { jobId: 'during-outage' }).catch((err: unknown) => err);
      expect(fast).toMatchObject({ retryable: true, retryAfterMs: 60_000, message: expect.stringContaining('the BigQuery circuit is open') });
      expect(connections).toBe(reached);
      // The step's activity turns it into a retryable failure that waits out the cool-down, not its backoff.
      const failure = await classify(() => Promise.reject(fast)).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure).toMatchObject({ type: 'WAREHOUSE_CIRCUIT_OPEN', nonRetryable: false, nextRetryDelay: 60_000 });
      now += 60_000;
      await expect(warehouse.query('SELECT 1')).rejects.toMatchObject({ retryable: true });
      expect(connections).toBeGreaterThan(reached); // the trial call went out, failed, and opened the circuit again
      expect(breaker.state).toBe('open');
    } finally {
      refusing.close();
    }
  });

  test('a statement the warehouse refuses on the merits does not count toward an outage', async () => {
    const breaker = new CircuitBreaker('bigquery', { failures: 1, cooldownMs: 60_000 });
    const refusing = { ...openBigQuery({ projectId: 'p', location: 'US', apiEndpoint: 'http://127.0.0.1:1', jobTimeoutMs: 1_000, requestTimeoutMs: 1_000 }) };
    refusing.query = () => Promise.reject(new WarehouseError('BigQuery failed on "SELEC 1": Syntax error', false));
    await expect(withBreaker(refusing, breaker).query('SELEC 1')).rejects.toMatchObject({ retryable: false });
    expect(breaker.state).toBe('closed');
  });
});
