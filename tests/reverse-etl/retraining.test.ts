import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { createDeps, type Deps } from '../../src/runtime';
import { ModelRegistry } from '../../src/scoring/registry';
import { retrainingSettings } from '../../src/scoring/retraining';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { warehouseLease } from '../../src/warehouse/open';
import type { Config } from '../../src/config';
import { RETRAINING_WORKFLOW, type RetrainingInput, type RetrainingResult } from '../../workflows/pipeline/retraining-contract';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { devServer, eventually } from '../support/dev-server';
import { HightouchServer } from '../support/hightouch-server';
import { startWarehouseWorker, type PythonWorker } from '../support/warehouse-python';
import { writeTrainingRows } from '../support/training-rows';

const CUSTOMERS = 120;

/** What batch scoring reads beside the trainer's rows: each customer's features as of the last day, and their lifecycle stage. */
async function writeScoringRows(file: string): Promise<void> {
  const w = await openDuckDb(file);
  try {
    await w.execute('CREATE SCHEMA IF NOT EXISTS waymark_staging', { jobId: 'schema' });
    await w.execute(
      `CREATE TABLE waymark_marts.ml_features AS SELECT customer_id, feature_date, events_7d, events_30d, orders_30d, revenue_30d, tickets_30d, days_since_active
       FROM waymark_marts.ml_training WHERE feature_date = (SELECT MAX(feature_date) FROM waymark_marts.ml_training)`,
      { jobId: 'features' },
    );
    await w.execute(
      `CREATE TABLE waymark_staging.customer_360 AS SELECT customer_id, CASE WHEN days_since_active IS NULL OR days_since_active > 20 THEN 'lapsed' ELSE 'active' END AS lifecycle_stage FROM waymark_marts.ml_features`,
      { jobId: 'customers' },
    );
  } finally {
    await w.close();
  }
}

/**
 * The reverse ETL step of the retraining workflow on a real dev server: the Python worker trains
 * the value model on a small warehouse, the pipeline worker promotes it (approval automatic, no
 * margin: each run's challenger wins) and scores every customer, then follows Hightouch's syncs
 * through the real client against a Hightouch-compatible server on loopback, a workflow timer
 * between looks.
 */
describe('reverse ETL after a promotion, on Temporal', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let hightouch: HightouchServer;
  let python: PythonWorker;
  let deps: Deps;
  let registry: ModelRegistry;
  let code: string;
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];

  /** A pipeline worker of its own (its own task queue) following a run for `followMs` at most. */
  const pipelineWorker = async (followMs: number): Promise<Config> => {
    const queue = `pipelines-${randomUUID().slice(0, 8)}`;
    const config: Config = { ...server.config, pipeline: { ...server.config.pipeline, taskQueue: queue }, reverseEtl: { ...server.config.reverseEtl, followMs } };
    const worker = await createPipelineWorker({ connection: server.nativeConnection, config, warehouse: warehouseLease(config), profiles: deps.profiles, models: registry, workflowBundle: { code } });
    workers.push({ worker, running: worker.run() });
    return config;
  };
  /** A retraining of the value model that promotes its challenger whatever its figures. */
  // Its own workflow id: tests/scoring/retraining.test.ts retrains value on the same dev server, under the model's own id.
  const retrain = (config: Config) =>
    server.client.workflow.start<(input: RetrainingInput) => Promise<RetrainingResult>>(RETRAINING_WORKFLOW, {
      workflowId: `reverse-etl-retraining-${randomUUID()}`,
      taskQueue: config.pipeline.taskQueue,
      args: [{ model: 'value', settings: { ...retrainingSettings(config), approval: 'automatic', promoteMargin: 0 } }],
    });

  beforeAll(async () => {
    hightouch = await HightouchServer.start({ token: 'ht-token-e2e', syncIds: ['11', '12'], rows: 75 });
    const id = randomUUID().slice(0, 8);
    server = await devServer({
      WAYMARK_TRAINING_TASK_QUEUE: `training-${id}`,
      WAYMARK_WAREHOUSE_TASK_QUEUE: `warehouse-${id}`,
      WAYMARK_TRAINING_MIN_ROWS: '50',
      WAYMARK_REVERSE_ETL: 'hightouch',
      WAYMARK_HIGHTOUCH_URL: hightouch.url,
      WAYMARK_HIGHTOUCH_TOKEN: 'ht-token-e2e',
      WAYMARK_HIGHTOUCH_SYNC_IDS: '11,12',
      WAYMARK_REVERSE_ETL_POLL_INTERVAL: '1s',
    });
    await writeTrainingRows(server.config.warehouse.duckdbFile, CUSTOMERS);
    await writeScoringRows(server.config.warehouse.duckdbFile);
    python = await startWarehouseWorker(server.config);
    deps = createDeps(server.config);
    registry = new ModelRegistry(deps.store);
    ({ code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never }));
  }, 240_000);
  afterAll(async () => {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await deps?.store.close();
    await python?.kill();
    await server?.close();
    await hightouch?.close();
  });

  test('a sync with a run in progress at Hightouch has that run followed, a timer apart, and none triggered; an idle sync gets one run', async () => {
    const config = await pipelineWorker(10 * 60_000);
    // Hightouch's own schedule started sync 12 a moment ago.
    const inProgress = hightouch.startRun('12');
    const handle = await retrain(config);
    // The workflow looks at the run in progress again and again; it ends once it is let go.
    await eventually(async () => (hightouch.polls(inProgress) >= 2 ? true : undefined), 'two looks at the run in progress', 180_000);
    hightouch.finish(inProgress);
    const result = (await handle.result()) as Extract<RetrainingResult, { outcome: 'promoted' }>;

    expect(result).toMatchObject({ outcome: 'promoted', model: 'value', version: 1, scoring: { model: 'value', version: 1 } });
    expect(result.reverseEtl).toEqual({
      adapter: 'hightouch',
      syncs: [
        { sync: '11', outcome: 'succeeded', runId: expect.stringMatching(/^\d+$/), followed: false, rows: 75, summary: "75 rows synced (the model's query gave 75)" },
        { sync: '12', outcome: 'succeeded', runId: inProgress, followed: true, rows: 75, summary: "75 rows synced (the model's query gave 75)" },
      ],
    });
    expect(hightouch.triggers('11')).toBe(1);
    expect(hightouch.triggers('12')).toBe(0);
    // Followed with workflow timers, one per look after the first.
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.timerStartedEventAttributes).length).toBeGreaterThanOrEqual(hightouch.polls(inProgress));
    const { currentDetails } = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(currentDetails).toContain(`**reverse ETL** (hightouch): sync 11 succeeded (run `);
    expect(currentDetails).toContain(`sync 12 succeeded (run ${inProgress}, already in progress: followed): 75 rows synced`);
  }, 300_000);

  test("a failed Hightouch run's reason is on the run, and the promotion stands; a run past the follow time is reported still running", async () => {
    const config = await pipelineWorker(15_000);
    const reason = 'Braze destination: the API key has no users.track permission';
    hightouch.failNextRun('11', reason);
    const stuck = hightouch.startRun('12');
    try {
      const handle = await retrain(config);
      const result = (await handle.result()) as Extract<RetrainingResult, { outcome: 'promoted' }>;
      expect(result).toMatchObject({ outcome: 'promoted', version: 2 });
      expect(result.reverseEtl).toEqual({
        adapter: 'hightouch',
        syncs: [
          { sync: '11', outcome: 'failed', runId: expect.stringMatching(/^\d+$/), followed: false, reason },
          { sync: '12', outcome: 'still running', runId: stuck, followed: true, followedMs: 15_000, progress: 'processing 50%' },
        ],
      });
      // The promotion is not undone: the version is the champion, its scores in the profiles.
      expect(await registry.champion('value')).toMatchObject({ version: 2, status: 'champion' });

      // The step failed, once (no retry), with Hightouch's reason.
      const failures = ((await handle.fetchHistory()).events ?? []).flatMap((e) => (e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'ReverseEtlRunFailed' ? [e.activityTaskFailedEventAttributes.failure] : []));
      expect(failures).toEqual([expect.objectContaining({ message: `hightouch sync 11, run ${result.reverseEtl!.syncs[0]!.runId}, failed: ${reason}`, applicationFailureInfo: expect.objectContaining({ nonRetryable: true }) })]);
      const { currentDetails } = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(currentDetails).toContain(`sync 11 **failed** (run ${result.reverseEtl!.syncs[0]!.runId}): ${reason}`);
      expect(currentDetails).toContain(`sync 12 still running after 15s (run ${stuck}, already in progress: followed)`);
    } finally {
      hightouch.finish(stuck);
    }
  }, 300_000);
});
