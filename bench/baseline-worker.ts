import { Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { connectWorker } from '../src/temporal/connect';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { workerTuning } from '../workers/journey-worker';
import { baselineActivities } from './baseline-activities';

/**
 * The baseline's worker, a process of its own like the journeys worker (workers/main.ts), with
 * the same config: WAYMARK_JOURNEY_TASK_QUEUE names its task queue, WAYMARK_WORKER_* tune it
 * through the journeys worker's own workerTuning(), WAYMARK_WORKER_METRICS_ADDRESS serves the
 * SDK's metrics.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  installTemporalRuntime(createLogger(config, 'baseline-worker'), config.worker.metricsAddress);
  const worker = await Worker.create({
    connection: await connectWorker(config),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    workflowsPath: require.resolve('./baseline-workflow'),
    activities: baselineActivities(config.dataDir),
    ...workerTuning(config.worker),
  });
  await worker.run();
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
