import { Worker } from '@temporalio/worker';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { connectWorker } from '../src/temporal/connect';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { workerTuning } from '../workers/journey-worker';

/**
 * bench:console's closing worker, a process of its own: it polls WAYMARK_JOURNEY_TASK_QUEUE
 * (the bench's "closing" queue, never the journeys worker's) with bench/console-closer-workflow.ts,
 * so the filler runs started there complete at once. Tuned as the journeys worker is (WAYMARK_WORKER_*).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'console-closer-worker');
  installTemporalRuntime(logger, config.worker.metricsAddress);
  const worker = await Worker.create({
    connection: await connectWorker(config),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    workflowsPath: require.resolve('./console-closer-workflow'),
    ...workerTuning(config.worker),
  });
  await worker.run();
}

main().catch((err: unknown) => {
  console.error((err as Error).message ?? err);
  process.exit(1);
});
