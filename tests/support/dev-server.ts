import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../../src/config';
import { Store } from '../../src/store/store';
import { temporalDataConverter } from '../../src/temporal/data-converter';
import { devServerAddress, testConfig } from './harness';

/** Connections to the shared dev server, and a config pointing at it with its own task queue. */
export async function devServer(overrides: Record<string, string> = {}) {
  const address = devServerAddress();
  const config: Config = testConfig({ WAYMARK_TEMPORAL_ADDRESS: address, ...overrides });
  const connection = await Connection.connect({ address });
  // Customers' data keys (with payload keys set) in the config's own database, connected on first use.
  const store = new Store(config);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(config, store) });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    config,
    client,
    nativeConnection,
    /**
     * Closes both connections. One that a worker still holds (a test that failed before running or
     * stopping it) is left to the end of the file (tests/support/cleanup.ts), which stops the
     * worker first: the test's own error is the one reported.
     */
    async close() {
      await connection.close();
      await store.close();
      await nativeConnection.close().catch((err: Error) => {
        if (!/Workers hold a reference/.test(err.message)) throw err;
      });
    },
  };
}

/**
 * Polls `probe` until it returns a value (visibility is eventually consistent). The deadline is
 * for a loaded machine (other runs beside this one), not a quiet one: a wait that passes returns
 * as soon as its condition holds, so only a failure waits that long.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  if (process.env.BREAK_EVENTUALLY) throw new Error(`injected failure while waiting for ${what}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
