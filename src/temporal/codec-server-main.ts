import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { describeStore, Store } from '../store/store';
import { startCodecServer } from './codec-server';

/**
 * `npm run codec-server`: decrypts Waymark's payloads for the Temporal UI (Settings → Codec
 * Server, or the UI's codec endpoint setting) and `temporal --codec-endpoint`, with
 * WAYMARK_TEMPORAL_PAYLOAD_KEYS, and customers' data keys from the store (WAYMARK_DATABASE_URL).
 * docs/operations.md, "Personal data in Temporal".
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'codec-server');
  if (config.temporal.payloadKeys.length === 0) {
    throw new Error('WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty: payloads are written in clear and there is nothing to decode. Set the keys the workers use.');
  }
  const store = new Store(config, logger);
  // Reached now, so a store it cannot reach stops it at start rather than at the first customer's payload.
  await store.pool();
  const server = (await startCodecServer(config, logger, store))!;
  logger.info({ url: server.url, auth: config.codecServer.auth, origins: config.codecServer.origins, keys: config.temporal.payloadKeys.map((k) => k.id), store: describeStore(config) }, 'codec server listening');
  const stop = async () => {
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
