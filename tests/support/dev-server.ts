import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../../src/config';
import { devServerAddress, testConfig } from './harness';

/** Connections to the shared dev server, and a config pointing at it with its own task queue. */
export async function devServer(overrides: Record<string, string> = {}) {
  const address = devServerAddress();
  const config: Config = testConfig({ WAYMARK_TEMPORAL_ADDRESS: address, ...overrides });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    config,
    client,
    nativeConnection,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** Polls `probe` until it returns a value (visibility is eventually consistent). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
