import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../src/config';
import type { Store } from '../src/store/store';
import { temporalDataConverter } from '../src/temporal/data-converter';
import { clientTracing, workerTracing } from '../src/telemetry/interceptors';
import type { Tracing } from '../src/telemetry/tracing';

export interface JourneyWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Cache, concurrency and pollers (WAYMARK_WORKER_*); the SDK's defaults when absent (tests). */
  tuning?: Config['worker'];
  /** A prebuilt workflow bundle (tests build it once); otherwise the workflows are bundled now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How payloads are encoded (src/temporal/data-converter.ts); the SDK's default, in clear, when absent. */
  dataConverter?: DataConverter;
  /** Tracing on (src/telemetry): spans for activities, workflows and the runs they start. A prebuilt bundle must hold TRACING_WORKFLOW_MODULES. */
  tracing?: Tracing;
}

/** Worker options from config. The cache bounds memory: a parked run beyond it costs nothing until it wakes and is replayed. */
export function workerTuning(t: Config['worker']): Partial<WorkerOptions> {
  return {
    maxCachedWorkflows: t.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: t.maxConcurrentWorkflowTasks,
    maxConcurrentActivityTaskExecutions: t.maxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: t.maxConcurrentLocalActivities,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: t.workflowTaskPollers },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: t.activityTaskPollers },
    shutdownGraceTime: t.shutdownGraceMs,
  };
}

/**
 * The worker for the sends task queue (WAYMARK_SEND_RATE_LIMIT > 0): only the send activity, at
 * most `ratePerSecond` per second across every worker polling the queue (Temporal enforces it).
 * `deps.store` holds customers' data keys (with payload keys set).
 */
export function createSendWorker({ connection, namespace, deps, tuning, config, tracing }: Omit<JourneyWorkerOptions, 'taskQueue' | 'workflowBundle' | 'dataConverter' | 'deps'> & { config: Config; deps: ActivityDeps & { store: Store } }): Promise<Worker> {
  const dataConverter = temporalDataConverter(config, deps.store);
  const { deliverMessage } = createActivities(deps, new Client({ connection, namespace, dataConverter, ...clientTracing(tracing) }));
  return Worker.create({
    ...workerTracing(tracing, 'none'),
    connection,
    namespace,
    dataConverter,
    taskQueue: config.sends.taskQueue,
    activities: { deliverMessage },
    maxTaskQueueActivitiesPerSecond: config.sends.ratePerSecond,
    ...(tuning ? { maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities, shutdownGraceTime: tuning.shutdownGraceMs } : {}),
  });
}

/** The worker for the journeys task queue: the interpreter, the customer routers and their activities. */
export function createJourneyWorker({ connection, namespace, taskQueue, deps, tuning, workflowBundle, dataConverter, tracing }: JourneyWorkerOptions): Promise<Worker> {
  // Routers start and signal runs from local activities, through the worker's own connection (traced: the runs join the event's trace).
  const client = new Client({ connection, namespace, dataConverter, ...clientTracing(tracing) });
  return Worker.create({
    ...workerTracing(tracing, workflowBundle ? 'prebuilt' : 'bundled'),
    connection,
    namespace,
    dataConverter,
    taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities(deps, client),
    ...(tuning ? workerTuning(tuning) : {}),
  });
}
