import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createPipelineActivities } from '../activities/pipeline';
import { createTrainingActivities } from '../activities/pipeline/training';
import { createReverseEtlActivities } from '../activities/pipeline/reverse-etl';
import { loadConfig, type Config } from '../src/config';
import { submitEvent } from '../src/events/intake';
import type { CustomerEvent } from '../src/events/schema';
import { createLogger } from '../src/logger';
import { connectWorker } from '../src/temporal/connect';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { temporalDataConverter } from '../src/temporal/data-converter';
import { workerTracing } from '../src/telemetry/interceptors';
import { startTracing, type Tracing } from '../src/telemetry/tracing';
import type { WarehouseLease } from '../src/warehouse/lease';
import { warehouseLease } from '../src/warehouse/open';
import type { ProfileStore } from '../src/profiles/port';
import { PgProfileStore } from '../src/profiles/pg-store';
import { reverseEtlFor } from '../src/reverse-etl/for-config';
import { ModelRegistry } from '../src/scoring/registry';
import { Store } from '../src/store/store';
import { createAudienceActivities } from '../activities/pipeline/audiences';

export interface PipelineWorkerOptions {
  connection: NativeConnection;
  config: Config;
  /** The warehouse, opened while an activity uses it (src/warehouse/lease.ts). */
  warehouse: WarehouseLease;
  /** The profiles the warehouse attributes are merged into (the shared store). */
  profiles: Pick<ProfileStore, 'mergeTraits'>;
  /** The model registry retraining runs add to and decide in (the shared store). */
  models: ModelRegistry;
  /** A prebuilt bundle of workflows/pipeline (tests build it once); otherwise bundled now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Tracing on (src/telemetry): a pipeline's run and its activities in one trace. The events it
   * hands the routers start traces of their own (its client is not traced): a batch of 100,000
   * events would otherwise make one trace of a million spans.
   */
  tracing?: Tracing;
}

/**
 * The worker for the pipelines task queue: its own workflows, its own activities, never the
 * journeys' queue, so a long batch cannot hold up a journey.
 */
export function createPipelineWorker({ connection, config, warehouse, profiles, models, workflowBundle, tracing }: PipelineWorkerOptions): Promise<Worker> {
  const dataConverter = temporalDataConverter(config, models.store);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  // Events go to the customer routers the way the event API sends them.
  const submit = (event: CustomerEvent) => submitEvent(client, config, event);
  return Worker.create({
    ...workerTracing(tracing, workflowBundle ? 'prebuilt' : 'bundled'),
    connection,
    namespace: config.temporal.namespace,
    dataConverter,
    taskQueue: config.pipeline.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows/pipeline') }),
    activities: {
      ...createPipelineActivities({ warehouse, config, profiles, submit }),
      ...createTrainingActivities({ config, registry: models, warehouse, profiles, submit }),
      ...createAudienceActivities({ config, store: models.store, submit }),
      ...createReverseEtlActivities({ config, reverseEtl: reverseEtlFor(config, { warehouse, profiles }) }),
    },
    maxConcurrentActivityTaskExecutions: config.warehouse.kind === 'duckdb' ? config.pipeline.duckdbStepsHeld : undefined,
    // A stage's heartbeat (what it has done) reaches the Temporal UI and `waymark schedules list` this soon.
    maxHeartbeatThrottleInterval: config.pipeline.progressEveryMs,
  });
}

/**
 * The pipeline worker as its own process (`npm run pipeline-worker`). With DuckDB it opens the
 * warehouse file while one of its activities runs, and closes it between them, for dbt (the
 * Python worker, `npm run warehouse-worker`) to build in it.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'pipeline-worker');
  installTemporalRuntime(log, config.pipeline.metricsAddress);
  const tracing = startTracing(config.tracing, 'pipeline-worker', log);
  const warehouse = warehouseLease(config);
  const store = new Store(config, log);
  const connection = await connectWorker(config);
  const worker = await createPipelineWorker({ connection, config, warehouse, profiles: new PgProfileStore(store, config.profileKeepKeys, config.limits), models: new ModelRegistry(store), tracing });
  const where = config.warehouse.kind === 'duckdb' ? config.warehouse.duckdbFile : `${config.warehouse.bigqueryProject} (${config.warehouse.bigqueryLocation})`;
  log.info({ taskQueue: config.pipeline.taskQueue, warehouse: config.warehouse.kind, at: where, landing: config.pipeline.landingDir, dbtTaskQueue: config.warehouse.taskQueue }, 'pipeline worker running');
  try {
    await worker.run();
  } finally {
    await warehouse.close();
    await store.close();
    await tracing?.shutdown();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error((err as Error).message ?? err);
    process.exit(1);
  });
}
