import { Client, Connection } from '@temporalio/client';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { Store } from '../store/store';
import { temporalDataConverter } from '../temporal/data-converter';
import { temporalConnectionOptions } from '../temporal/connect';
import { createAppForClient, listen } from './server';
import { clientTracing } from '../telemetry/interceptors';
import { startTracing } from '../telemetry/tracing';

/**
 * The event API as its own process (`npm run api`). It starts even when Temporal is down: the
 * connection is lazy, /readyz says 503 until Temporal answers, and events get 503 meanwhile.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'api');
  const tracing = startTracing(config.tracing, 'api', logger);
  const { address, namespace, connectTimeoutMs } = config.temporal;
  const connection = Connection.lazy({ ...temporalConnectionOptions(config), connectTimeout: connectTimeoutMs });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // With payload keys, customers' data keys are read from the store (connected on first use).
  const store = new Store(config, logger);
  const client = new Client({ connection, namespace, dataConverter: temporalDataConverter(config, store), ...clientTracing(tracing) });
  const app = createAppForClient(config, client, logger, registry, undefined, tracing?.tracer);
  const server = await listen(app, config);
  logger.info({ url: server.url, metrics: server.metricsUrl ?? 'off', temporal: address, namespace }, 'event API listening');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'event API stopping');
    await server.close();
    await connection.close();
    await store.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
