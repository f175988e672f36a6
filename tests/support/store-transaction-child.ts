import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Store } from '../../src/store/store';

/**
 * A process that holds a store transaction open between two statements (as the ledger and the
 * profile store do), for tests/store/connection-lost.test.ts: it prints its backend's pid, waits,
 * then reports how the transaction ended and whether the store still answers.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = new Store(config, createLogger({ ...config, logFormat: 'json' }, 'child'));
  const ended = await store
    .transaction(async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      console.log(`in-transaction ${rows[0]!.pid}`);
      await new Promise((resolve) => setTimeout(resolve, Number(process.env.HOLD_MS ?? 5_000)));
      await client.query('SELECT 1');
    })
    .then(
      () => 'committed',
      (err: Error) => `failed: ${err.message}`,
    );
  console.log(ended);
  const { rows } = await store.query<{ one: number }>('SELECT 1 AS one');
  console.log(`store answers ${rows[0]!.one}`);
  await store.close();
}

void main();
