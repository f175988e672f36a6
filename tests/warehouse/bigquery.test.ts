import { openBigQuery } from '../../src/warehouse/bigquery';
import { startBigQueryEmulator } from './emulator';
import { warehouseContract } from './contract';

/** The official client against the emulator on loopback: the production adapter's query, parameter, MERGE, load and insert paths. */
describe('BigQuery warehouse adapter (emulator)', () => {
  let emulator: Awaited<ReturnType<typeof startBigQueryEmulator>>;
  beforeAll(async () => {
    emulator = await startBigQueryEmulator('waymark-test');
  });
  afterAll(() => emulator?.stop());
  warehouseContract(async () => openBigQuery({ projectId: 'waymark-test', location: 'US', apiEndpoint: emulator.endpoint, jobTimeoutMs: 30_000 }), {
    insertIdsIgnored: 'bqemulator 1.4 does not deduplicate by insertId (BigQuery does, best effort); the pipeline relies on MERGE, not on insertIds',
  });
});
