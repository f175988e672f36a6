import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, type Config } from '../src/config';
import { freePort } from '../src/free-port';
import { pipelineSettings } from '../src/pipeline/settings';
import { startDevServer } from '../src/temporal/dev-server';
import { findBatch } from '../src/warehouse/batch';
import { openDuckDb } from '../src/warehouse/duckdb';
import { runBatch } from '../src/warehouse/run-batch';
import { writeExports } from '../src/warehouse/seed/generate';
import type { IngestionResult } from '../workflows/pipeline/contract';
import { createPipelineWorker } from '../workers/pipeline-worker';
import { PgProfileStore } from '../src/profiles/pg-store';
import { Store } from '../src/store/store';
import { benchStoreEnv } from './bench-store';

/**
 * bench:ingest: WAYMARK_BENCH_INGEST_EVENTS raw web and app events (with the other sources'
 * rows around them) through the ingestion pipeline end to end on DuckDB (one activity per stage
 * on the pipelines task queue of a dev server started as `npm run dev` starts it, then the
 * changed attributes into profiles and the health_at_risk events to the routers), next to the
 * same steps' SQL run directly on DuckDB in this process, on the same export, in alternating
 * rounds; medians are reported.
 */
const say = (line: string) => console.log(`[bench:ingest] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

interface StepTimes {
  /** Milliseconds each activity type ran (started to completed: time queued is left out). */
  byType: Map<string, number>;
  /** Milliseconds from the run's start to its end when no activity was running: Temporal handing one step to the next. */
  between: number;
  /** Activities in the run. */
  activities: number;
  /** Milliseconds from the publish step's end to the run's end: the profiles and the events. */
  afterPublish: number;
}

const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** Where a run's time went, from its history. */
async function stepTimes(client: Client, workflowId: string): Promise<StepTimes> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const types = new Map<number, string>();
  const started = new Map<number, number>();
  const byType = new Map<string, number>();
  const running: Array<[number, number]> = [];
  let published = 0;
  for (const e of events) {
    const at = eventMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) types.set(Number(e.eventId), e.activityTaskScheduledEventAttributes.activityType!.name!);
    if (e.activityTaskStartedEventAttributes) started.set(Number(e.activityTaskStartedEventAttributes.scheduledEventId), at);
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const from = started.get(Number(done.scheduledEventId))!;
      const type = types.get(Number(done.scheduledEventId))!;
      byType.set(type, (byType.get(type) ?? 0) + at - from);
      if (type === 'publish') published = at;
      running.push([from, at]);
    }
  }
  // The union of the activities' running intervals, against the run's whole span.
  let covered = 0;
  let reach = -Infinity;
  for (const [from, to] of running.sort((a, b) => a[0] - b[0])) {
    covered += Math.max(0, to - Math.max(from, reach));
    reach = Math.max(reach, to);
  }
  const end = events.length ? eventMs(events[events.length - 1]!.eventTime) : 0;
  const span = events.length ? end - eventMs(events[0]!.eventTime) : 0;
  return { byType, between: span - covered, activities: types.size, afterPublish: published ? end - published : 0 };
}

/** The same steps through runBatch on a fresh DuckDB file: no Temporal. */
async function directRun(config: Config, dataDir: string, round: number): Promise<number> {
  const direct = await openDuckDb(path.join(dataDir, `direct-${round}.duckdb`));
  const started = Date.now();
  const outcome = await runBatch(direct, (await findBatch(direct, config.pipeline.landingDir, randomUUID(), 'bench'))!);
  const ms = Date.now() - started;
  await direct.close();
  if (outcome.status !== 'published') throw new Error(`the direct run was ${outcome.status}`);
  return ms;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-ingest-'));
  const [temporalPort, uiPort] = [await freePort(), await freePort()];
  const config = loadConfig(process.env, {
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    WAYMARK_TEMPORAL_UI_PORT: String(uiPort),
    WAYMARK_LOG_LEVEL: 'warn',
    ...benchStoreEnv(await freePort()),
  });
  // The profiles the changed attributes are merged into: the bench's own embedded PostgreSQL.
  const store = new Store(config);
  const profiles = new PgProfileStore(store, config.profileKeepKeys, config.limits);
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  const { ingestEvents, ingestCustomers, ingestRounds } = config.bench;
  let stopServer: (() => void) | undefined;
  try {
    say(`writing an export: ${ingestCustomers.toLocaleString('en-US')} customers, about ${ingestEvents.toLocaleString('en-US')} web and app events...`);
    const manifest = writeExports({ landingDir: config.pipeline.landingDir, customers: ingestCustomers, seed: 1, asOf: '2026-03-31', eventsPerCustomer: Math.round(ingestEvents / ingestCustomers), days: 90, exportId: 'bench' });
    const events = manifest.rows.ga360_hits! + manifest.rows.firebase_events!;
    const rows = Object.values(manifest.rows).reduce((a, b) => a + b, 0);

    // Translation to DuckDB happens once per statement per process: warm it for both sides.
    const warm = await openDuckDb(path.join(dataDir, 'warm.duckdb'));
    writeExports({ landingDir: path.join(dataDir, 'warm'), customers: 20, seed: 2, asOf: '2026-03-31', eventsPerCustomer: 5, days: 30, exportId: 'warm' });
    await runBatch(warm, (await findBatch(warm, path.join(dataDir, 'warm'), 'warm', 'warm'))!);
    await warm.close();

    await store.pool(); // started and migrated before the rounds, not inside the first one
    const server = await startDevServer(config, () => undefined);
    stopServer = () => server.process.kill('SIGTERM');
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
    const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    const client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace });

    const rounds: Array<{ direct: number; pipeline: number; send: number; merge: number; eventsSent: number; profiles: number; steps: StepTimes }> = [];
    for (let round = 1; round <= ingestRounds; round++) {
      const direct = await directRun(config, dataDir, round);
      say(`round ${round}: direct ${seconds(direct)}`);
      // Each round's pipeline gets a fresh warehouse file, so it does the same work as the direct run.
      const warehouse = await openDuckDb(path.join(dataDir, `pipeline-${round}.duckdb`));
      const worker = await createPipelineWorker({ connection: nativeConnection, config, warehouse, profiles, workflowBundle: { code } });
      const workflowId = `bench-ingest-${round}-${randomUUID()}`;
      const started = Date.now();
      const result = (await worker.runUntil(
        client.workflow.execute('ingestionWorkflow', { workflowId, taskQueue: config.pipeline.taskQueue, args: [{ settings: pipelineSettings(config), batchId: 'bench' }] }),
      )) as IngestionResult;
      const pipeline = Date.now() - started;
      await warehouse.close();
      if (result.status !== 'published') throw new Error(`the pipeline run was ${result.status}`);
      const steps = await stepTimes(client, workflowId);
      const [send, merge] = [steps.byType.get('sendEvents') ?? 0, steps.byType.get('mergeAttributes') ?? 0];
      rounds.push({ direct, pipeline, send, merge, eventsSent: result.eventsSent, profiles: result.profiles?.updated ?? 0, steps });
      say(`round ${round}: pipeline ${seconds(pipeline)} (${result.profiles?.updated ?? 0} profiles merged: ${seconds(merge)}; ${result.eventsSent} events sent: ${seconds(send)})`);
    }

    const direct = median(rounds.map((r) => r.direct));
    const pipeline = median(rounds.map((r) => r.pipeline));
    const sameWork = median(rounds.map((r) => r.pipeline - r.steps.afterPublish));
    const send = median(rounds.map((r) => r.send));
    const merge = median(rounds.map((r) => r.merge));
    const last = rounds[rounds.length - 1]!;
    console.log('');
    console.log(`raw events: ${events.toLocaleString('en-US')} (raw rows in all: ${rows.toLocaleString('en-US')}), ${ingestCustomers.toLocaleString('en-US')} customers, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`);
    console.log(`medians of ${rounds.length} rounds (each: direct then pipeline, same export, fresh DuckDB files)`);
    console.log(`  direct SQL on DuckDB:            ${seconds(direct).padStart(8)}  ${perSecond(events, direct).padStart(9)} events/s  ${perSecond(rows, direct).padStart(9)} rows/s`);
    console.log(`  pipeline, load to publish:       ${seconds(sameWork).padStart(8)}  ${perSecond(events, sameWork).padStart(9)} events/s  ${perSecond(rows, sameWork).padStart(9)} rows/s`);
    console.log(`  pipeline end to end:             ${seconds(pipeline).padStart(8)}  ${perSecond(events, pipeline).padStart(9)} events/s  ${perSecond(rows, pipeline).padStart(9)} rows/s`);
    console.log(`    then, side by side: ${last.profiles.toLocaleString('en-US')} profiles given their changed attributes in ${seconds(merge)} (${perSecond(last.profiles, merge)}/s),`);
    console.log(`    and ${last.eventsSent.toLocaleString('en-US')} health_at_risk events to the routers in ${seconds(send)} (${perSecond(last.eventsSent, send)}/s)`);
    console.log(`  overhead, same SQL work:         ${(sameWork / direct).toFixed(2)}x (target <= 1.2x)`);
    console.log(`  overhead, end to end:            ${(pipeline / direct).toFixed(2)}x`);
    console.log(`rounds: ${rounds.map((r, i) => `#${i + 1} direct ${seconds(r.direct)} / pipeline ${seconds(r.pipeline)} (profiles ${seconds(r.merge)}, events ${seconds(r.send)})`).join('; ')}`);
    console.log('  (round 1 starts a router for each at-risk customer; later rounds signal the routers round 1 started)');
    console.log(`  between steps (no activity running): ${seconds(median(rounds.map((r) => r.steps.between)))} over ${last.steps.activities} activities`);
    console.log(`last pipeline run, started to completed per activity type (steps scheduled together overlap, waiting their turn on DuckDB): ${[...last.steps.byType].sort((a, b) => b[1] - a[1]).map(([t, ms]) => `${t} ${seconds(ms)}`).join(', ')}`);
    await client.connection.close();
    await nativeConnection.close();
  } finally {
    stopServer?.();
    await store.close();
    if (store.startedEmbedded()) await store.stopEmbedded();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:ingest failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
