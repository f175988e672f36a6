import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { connectWorker } from '../src/temporal/connect';
import { createDeps, prepareStore } from '../src/runtime';
import { describeStore } from '../src/store/store';
import { createJourneyWorker, createSendWorker } from './journey-worker';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { checkNamespace } from '../src/temporal/namespace-check';
import { temporalDataConverter } from '../src/temporal/data-converter';
import { startTracing } from '../src/telemetry/tracing';

/** Runs the journeys worker as its own process: `tsx workers/main.ts`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'worker');
  installTemporalRuntime(log, config.worker.metricsAddress);
  const tracing = startTracing(config.tracing, 'worker', log);
  const deps = createDeps(config, log);
  const journeys = await prepareStore(deps, log);
  const connection = await connectWorker(config);
  await checkNamespace(connection, config.temporal.address, config.temporal.namespace);
  const worker = await createJourneyWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    deps,
    tuning: config.worker,
    dataConverter: temporalDataConverter(config, deps.store),
    tracing,
  });
  // With a provider rate limit, sends have their own queue; every worker polls it, Temporal holds the rate across them.
  const sender = config.sends.ratePerSecond > 0 ? await createSendWorker({ connection, namespace: config.temporal.namespace, deps, tuning: config.worker, config, tracing }) : undefined;
  const sendQueue = sender ? `; sends on ${config.sends.taskQueue} at most ${config.sends.ratePerSecond}/s` : '';
  log.info({ taskQueue: config.temporal.journeyTaskQueue, store: describeStore(config), journeys }, journeys.length ? `journeys worker running${sendQueue}` : `journeys worker running${sendQueue}; no journey is published yet: run 'waymark journeys publish'`);
  await Promise.all([worker.run(), sender?.run()]);
  await deps.store.close();
  await tracing?.shutdown();
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
