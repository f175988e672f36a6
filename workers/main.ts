import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { connectWorker } from '../src/temporal/connect';
import { createDeps, loadCatalog } from '../src/runtime';
import { createJourneyWorker } from './journey-worker';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { checkNamespace } from '../src/temporal/namespace-check';

/** Runs the journeys worker as its own process: `tsx workers/main.ts`. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'worker');
  installTemporalRuntime(log, config.worker.metricsAddress);
  const deps = createDeps(config, loadCatalog(config, log));
  const connection = await connectWorker(config);
  await checkNamespace(connection, config.temporal.address, config.temporal.namespace);
  const worker = await createJourneyWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    deps,
    tuning: config.worker,
  });
  log.info({ taskQueue: config.temporal.journeyTaskQueue, journeys: deps.catalog.all().map((j) => `${j.definition.id}@${j.version}`) }, 'journeys worker running');
  await worker.run();
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
