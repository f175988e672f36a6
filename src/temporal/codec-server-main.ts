import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startCodecServer } from './codec-server';

/**
 * `npm run codec-server`: decrypts Waymark's payloads for the Temporal UI (Settings → Codec
 * Server, or the UI's codec endpoint setting) and `temporal --codec-endpoint`, with
 * WAYMARK_TEMPORAL_PAYLOAD_KEYS. docs/operations.md, "Personal data in Temporal".
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'codec-server');
  if (config.temporal.payloadKeys.length === 0) {
    throw new Error('WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty: payloads are written in clear and there is nothing to decode. Set the keys the workers use.');
  }
  const server = (await startCodecServer(config, logger))!;
  logger.info({ url: server.url, auth: config.codecServer.auth, origins: config.codecServer.origins, keys: config.temporal.payloadKeys.map((k) => k.id) }, 'codec server listening');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
