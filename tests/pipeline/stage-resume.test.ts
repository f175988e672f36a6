import { randomUUID } from 'node:crypto';
import { progressLine, runProgress } from '../../src/pipeline/progress';
import { pipelineSettings } from '../../src/pipeline/settings';
import { writeExports } from '../../src/warehouse/seed/generate';
import type { IngestionResult } from '../../workflows/pipeline/contract';
import { devServer, eventually } from '../support/dev-server';
import { storeEnv } from '../support/harness';
import { startWarehouseWorker } from '../support/warehouse-python';
import { killed, startWorkerProcess } from '../support/worker-process';

/**
 * The pipeline worker SIGKILLed in the middle of loading raw (a real process, a real dev server):
 * the retried attempt, on a new worker, goes on after the sources the killed one had reported in
 * its heartbeat, and the batch publishes with every row counted once.
 */
describe('a pipeline stage cut off by a killed worker', () => {
  it('goes on after the sources the killed attempt had loaded, and the batch publishes', async () => {
    const id = randomUUID().slice(0, 8);
    // A short heartbeat timeout: the server notices the kill, and sees progress, within seconds.
    const settings = { WAYMARK_PIPELINES_TASK_QUEUE: `pipelines-${id}`, WAYMARK_WAREHOUSE_TASK_QUEUE: `warehouse-${id}`, WAYMARK_PIPELINE_HEARTBEAT_TIMEOUT: '10s', WAYMARK_PIPELINE_RETRY_INITIAL: '1s' };
    const server = await devServer(settings);
    const { config, client } = server;
    // About a million web and app events: loading them takes seconds, so the kill lands mid-stage.
    const manifest = writeExports({ landingDir: config.pipeline.landingDir, customers: 2000, seed: 5, asOf: '2026-03-31', eventsPerCustomer: 500, days: 90, exportId: 'big' });
    const env = {
      ...storeEnv(config),
      ...settings,
      WAYMARK_TEMPORAL_ADDRESS: config.temporal.address,
      WAYMARK_JOURNEY_TASK_QUEUE: config.temporal.journeyTaskQueue,
      WAYMARK_DUCKDB_FILE: config.warehouse.duckdbFile,
      WAYMARK_PIPELINE_LANDING_DIR: config.pipeline.landingDir,
    };
    const workers = [startWorkerProcess(env, 'pipeline')];
    // The transform's worker (dbt), which the batch needs once raw is loaded.
    const python = await startWarehouseWorker(config);
    try {
      await workers[0]!.ready;
      const handle = await client.workflow.start('ingestionWorkflow', { workflowId: `stage-resume-${id}`, taskQueue: config.pipeline.taskQueue, args: [{ settings: pipelineSettings(config), batchId: 'big' }] });
      // What `waymark schedules list` shows of the run: the stage's last heartbeat.
      const seen = await eventually(async () => {
        const p = await runProgress(client, handle.workflowId);
        // Sources done and one under way (between two sources a heartbeat may show none running).
        return p.step === 'load raw' && p.underWay[0]?.done && p.underWay[0].running.length ? p : undefined;
      }, 'a heartbeat with sources loaded and one loading', 60_000);
      await killed(workers[0]!.child);
      const [stage] = seen.underWay;
      const sources = Object.keys(manifest.rows).length;
      expect(stage!.running).toHaveLength(1); // DuckDB: one source at a time
      expect(progressLine(seen)).toBe(`load raw ${stage!.done}/${sources} (running ${stage!.running[0]}), batch big`);
      expect(stage!.done).toBeLessThan(sources); // killed mid-stage

      workers.push(startWorkerProcess(env, 'pipeline'));
      await workers[1]!.ready;
      const result = (await handle.result()) as IngestionResult;
      expect(result).toMatchObject({ status: 'published', batchId: 'big', rawRows: Object.values(manifest.rows).reduce((a, b) => a + b, 0) });

      // The new worker said what it carried over: at least the sources seen done before the kill.
      const said = await eventually(async () => workers[1]!.output().match(/load raw: going on after an earlier attempt, which did (\d+) of (\d+)/) ?? undefined, 'the resume warning');
      console.log(`stage resume: ${stage!.done} of ${sources} sources seen loaded before the kill (${stage!.running[0]} running); the retry carried over ${said[1]}`);
      expect(Number(said[1])).toBeGreaterThanOrEqual(stage!.done!);
      expect(Number(said[2])).toBe(sources);
      const history = (await handle.fetchHistory()).events ?? [];
      const loadRaw = history.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadRaw')!;
      const started = history.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(loadRaw.eventId))!;
      expect(started.activityTaskStartedEventAttributes!.attempt).toBe(2);
    } finally {
      await Promise.all(workers.map((w) => killed(w.child)));
      await python.kill();
      await server.close();
    }
  }, 400_000); // a million events written and loaded twice: minutes on a loaded machine (120 s was passed at load 7)
});
