import { Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { connectWorker } from '../src/temporal/connect';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { Store } from '../src/store/store';
import { workerTuning } from '../workers/journey-worker';
import { baselineActivities } from './baseline-activities';

/**
 * The baseline's worker, a process of its own like the journeys worker (workers/main.ts), with
 * the same config: WAYMARK_JOURNEY_TASK_QUEUE names its task queue, WAYMARK_WORKER_* tune it
 * through the journeys worker's own workerTuning(), WAYMARK_WORKER_METRICS_ADDRESS serves the
 * SDK's metrics; it reaches the bench's store as the journeys worker does (WAYMARK_EMBEDDED_POSTGRES_*).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'baseline-worker');
  installTemporalRuntime(logger, config.worker.metricsAddress);
  const store = new Store(config, logger);
  // Opened before polling, as prepareStore does for the journeys worker: a bad store stops the start.
  await store.pool();
  const worker = await Worker.create({
    connection: await connectWorker(config),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    workflowsPath: require.resolve('./baseline-workflow'),
    activities: baselineActivities(store),
    ...workerTuning(config.worker),
  });
  await worker.run();
  await store.close();
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
