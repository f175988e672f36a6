import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { CancelledFailure } from '@temporalio/client';
import { progressLine, runProgress, type RunProgress } from '../../src/pipeline/progress';
import { pipelineSettings } from '../../src/pipeline/settings';
import { warehouseLease } from '../../src/warehouse/open';
import { writeExports } from '../../src/warehouse/seed/generate';
import type { IngestionResult } from '../../workflows/pipeline/contract';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { createDeps, type Deps } from '../../src/runtime';
import { devServer, eventually } from '../support/dev-server';
import { startWarehouseWorker, type PythonWorker } from '../support/warehouse-python';
import { ModelRegistry } from '../../src/scoring/registry';

/**
 * The transform (dbt build in the Python worker, a real process on a real dev server) cut off:
 * the worker SIGKILLed mid-build, and the retry on a new worker goes on after the nodes the killed
 * attempt reported in its heartbeat; or the run cancelled mid-build, which interrupts dbt.
 */
describe('the transform in the Python worker, cut off', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let deps: Deps;
  let worker: Worker;
  let running: Promise<void>;
  const pythons: PythonWorker[] = [];
  const warehouse = { lease: undefined as ReturnType<typeof warehouseLease> | undefined };

  beforeAll(async () => {
    const id = randomUUID().slice(0, 8);
    // A short heartbeat timeout (10 s: a loaded machine can stall the Python worker longer than 2 s, and then the activity times out instead of being cancelled) and throttle: the server notices the kill, and sees each node, within seconds.
    server = await devServer({ WAYMARK_PIPELINES_TASK_QUEUE: `pipelines-${id}`, WAYMARK_WAREHOUSE_TASK_QUEUE: `warehouse-${id}`, WAYMARK_PIPELINE_HEARTBEAT_TIMEOUT: '10s', WAYMARK_PIPELINE_PROGRESS_EVERY: '1s', WAYMARK_PIPELINE_RETRY_INITIAL: '1s' });
    const { config } = server;
    // About 600,000 web and app events: dbt's models take seconds on them, so the kill lands mid-build.
    writeExports({ landingDir: config.pipeline.landingDir, customers: 2000, seed: 6, asOf: '2026-03-31', eventsPerCustomer: 300, days: 90, exportId: 'big' });
    deps = createDeps(config);
    warehouse.lease = warehouseLease(config);
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
    worker = await createPipelineWorker({ connection: server.nativeConnection, config, warehouse: warehouse.lease, profiles: deps.profiles, models: new ModelRegistry(deps.store), workflowBundle: { code } });
    running = worker.run();
  }, 300_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await warehouse.lease?.close();
    await Promise.all(pythons.map((p) => p.kill()));
    await deps?.store.close();
    await server?.close();
  });

  const start = (name: string) =>
    server.client.workflow.start('ingestionWorkflow', { workflowId: `${name}-${randomUUID()}`, taskQueue: server.config.pipeline.taskQueue, args: [{ settings: pipelineSettings(server.config), batchId: 'big' }] });
  const python = async () => {
    const p = await startWarehouseWorker(server.config);
    pythons.push(p);
    return p;
  };
  /** What `waymark schedules list` shows of the run once the transform has finished `done` nodes and runs another. */
  const midTransform = (workflowId: string, done: number) =>
    eventually(async () => {
      const p = await runProgress(server.client, workflowId);
      const [stage] = p.underWay;
      // The transform's own heartbeat: just after the step changes, the query can say "transform"
      // while the load step's last heartbeat is still the pending activity's (a loaded CI run).
      return p.step === 'transform' && stage?.step === 'transform' && stage.done! >= done && stage.running.length ? p : undefined;
    }, `a transform heartbeat with ${done} nodes done and one running`, 240_000); // the load before it takes over 90 s on a machine at load 7 (a CI run beside a benchmark)

  it('a killed worker: the retry on a new one goes on after the nodes reported done, and the batch publishes', async () => {
    const first = await python();
    const handle = await start('transform-kill');
    const seen: RunProgress = await midTransform(handle.workflowId, 5); // the raw views done, the models under way
    await first.kill();
    const [stage] = seen.underWay;
    expect(progressLine(seen)).toBe(`transform ${stage!.done}/${stage!.total} (running ${stage!.running.join(', ')}), batch big`);
    expect(stage!.running[0]).toMatch(/^(staging|marts|checks)\.[a-z0-9_]+$/);
    expect(stage!.done).toBeLessThan(stage!.total!);

    const second = await python();
    const result = (await handle.result()) as IngestionResult;
    expect(result).toMatchObject({ status: 'published', batchId: 'big' });
    const said = await eventually(async () => second.output().match(/transform: going on after an earlier attempt, which did (\d+) of (\d+)/) ?? undefined, 'the resume warning');
    console.log(`transform resume: ${stage!.done} of ${stage!.total} nodes seen done before the kill (${stage!.running.join(', ')} running); the retry carried over ${said[1]}`);
    expect(Number(said[1])).toBeGreaterThanOrEqual(stage!.done!);
    expect(Number(said[2])).toBe(stage!.total);
    const history = (await handle.fetchHistory()).events ?? [];
    const build = history.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'dbtBuild')!;
    expect(build.activityTaskScheduledEventAttributes!.taskQueue!.name).toBe(server.config.warehouse.taskQueue);
    const started = history.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(build.eventId))!;
    expect(started.activityTaskStartedEventAttributes!.attempt).toBe(2);
  }, 400_000);

  it('a cancelled run interrupts dbt and stops within the transform, and the batch runs again cleanly', async () => {
    const worker = pythons[pythons.length - 1]!;
    const handle = await start('transform-cancel');
    await midTransform(handle.workflowId, 1);
    await handle.cancel();
    await expect(handle.result()).rejects.toMatchObject({ cause: expect.any(CancelledFailure) });
    const events = (await handle.fetchHistory()).events!;
    const requested = events.findIndex((e) => e.workflowExecutionCancelRequestedEventAttributes);
    expect(events.slice(requested).some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    expect(events.slice(requested).some((e) => e.activityTaskCanceledEventAttributes)).toBe(true);
    await eventually(async () => (/transform: cancelled while running .+; dbt stopped/.test(worker.output()) ? true : undefined), "the worker's cancel line");

    const again = (await (await start('transform-again')).result()) as IngestionResult;
    expect(again).toMatchObject({ status: 'published', batchId: 'big' });
  }, 400_000);
});
