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
import { warehouseTarget } from '../src/warehouse/build-target';
import { startDirectBuilds, type DirectBuilds } from '../src/warehouse/dbt-direct';
import { openDuckDb } from '../src/warehouse/duckdb';
import { leaseWarehouse } from '../src/warehouse/lease';
import { startWarehouseWorker } from '../src/warehouse/python';
import { runBatch } from '../src/warehouse/run-batch';
import { writeExports } from '../src/warehouse/seed/generate';
import type { IngestionResult } from '../workflows/pipeline/contract';
import { createPipelineWorker } from '../workers/pipeline-worker';
import { PgProfileStore } from '../src/profiles/pg-store';
import { Store } from '../src/store/store';
import { benchStoreEnv } from './bench-store';
import { temporalDataConverter } from '../src/temporal/data-converter';
import { ModelRegistry } from '../src/scoring/registry';

/**
 * bench:ingest: WAYMARK_BENCH_INGEST_EVENTS raw web and app events (with the other sources'
 * rows around them) through the ingestion pipeline end to end on DuckDB (one activity per stage
 * on the pipelines task queue of a dev server started as `npm run dev` starts it, the transform
 * in the Python worker on its own queue, then the changed attributes into profiles and the
 * health_at_risk events to the routers, then the history), next to the same steps run directly:
 * raw loaded in this process, the same dbt build (and freshness, and history) by the same Python
 * code in a process kept warm as the worker is, then the checks and the publish. Same export,
 * alternating rounds; medians are reported.
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
  /** Milliseconds from the publish step's end to the history step's scheduling: the profiles and the events. */
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
  let history = 0;
  for (const e of events) {
    const at = eventMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) {
      const type = e.activityTaskScheduledEventAttributes.activityType!.name!;
      types.set(Number(e.eventId), type);
      if (type === 'dbtHistory') history = at;
    }
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
  return { byType, between: span - covered, activities: types.size, afterPublish: published && history ? history - published : 0 };
}

/**
 * A fresh DuckDB file at `file` (the same path every round: dbt's partial parsing keys on the
 * profile, which holds the path, as a worker's fixed file in production).
 */
function freshFile(file: string): string {
  for (const f of [file, `${file}.wal`]) fs.rmSync(f, { force: true });
  return file;
}

/** The same steps through runBatch, no Temporal: raw loaded here, dbt by the warm direct process. */
async function directRun(config: Config, dbt: DirectBuilds, file: string, batchId = 'bench'): Promise<number> {
  const run = { warehouse: leaseWarehouse('duckdb', () => openDuckDb(file)), dbt, target: { ...warehouseTarget(config), kind: 'duckdb' as const, duckdbFile: file }, health: config.health, sourceFreshnessHours: config.warehouse.sourceFreshnessMs / 3_600_000, rowLimits: config.warehouse.rows };
  const batch = (await run.warehouse.use((w) => findBatch(w, config.pipeline.landingDir, randomUUID(), batchId)))!;
  const started = Date.now();
  const outcome = await runBatch(run, batch);
  const ms = Date.now() - started;
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
  let stopPython: (() => Promise<void>) | undefined;
  let stopDirect: (() => Promise<void>) | undefined;
  try {
    say(`writing an export: ${ingestCustomers.toLocaleString('en-US')} customers, about ${ingestEvents.toLocaleString('en-US')} web and app events...`);
    const manifest = writeExports({ landingDir: config.pipeline.landingDir, customers: ingestCustomers, seed: 1, asOf: '2026-03-31', eventsPerCustomer: Math.round(ingestEvents / ingestCustomers), days: 90, exportId: 'bench' });
    const events = manifest.rows.ga360_hits! + manifest.rows.firebase_events!;
    const rows = Object.values(manifest.rows).reduce((a, b) => a + b, 0);

    await store.pool(); // started and migrated before the rounds, not inside the first one
    const server = await startDevServer(config, () => undefined);
    stopServer = () => server.process.kill('SIGTERM');
    // Both Python processes started and warmed (dbt imported, the project parsed) before the rounds, as a running worker is.
    const pythonStarted = Date.now();
    const python = startWarehouseWorker(config, () => undefined);
    stopPython = () => python.stop(10_000);
    await python.ready;
    const workerStartMs = Date.now() - pythonStarted;
    const dbt = await startDirectBuilds();
    stopDirect = () => dbt.close();
    writeExports({ landingDir: config.pipeline.landingDir, customers: 20, seed: 2, asOf: '2026-03-31', eventsPerCustomer: 5, days: 30, exportId: 'warm' });
    await directRun(config, dbt, freshFile(path.join(dataDir, 'direct.duckdb')), 'warm');
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
    const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    const client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace, dataConverter: temporalDataConverter(config, store) });

    const rounds: Array<{ direct: number; pipeline: number; send: number; merge: number; eventsSent: number; profiles: number; steps: StepTimes }> = [];
    // Round 0, on the small export, warms the pipeline's side (the Python worker's first build parses the whole project); not counted.
    for (let round = 0; round <= ingestRounds; round++) {
      const batchId = round ? 'bench' : 'warm';
      const direct = round ? await directRun(config, dbt, freshFile(path.join(dataDir, 'direct.duckdb'))) : 0;
      if (round) say(`round ${round}: direct ${seconds(direct)}`);
      // Each round's pipeline gets a fresh warehouse file, so it does the same work as the direct run.
      freshFile(config.warehouse.duckdbFile);
      const warehouse = leaseWarehouse('duckdb', () => openDuckDb(config.warehouse.duckdbFile));
      const worker = await createPipelineWorker({ connection: nativeConnection, config, warehouse, profiles, models: new ModelRegistry(store), workflowBundle: { code } });
      const workflowId = `bench-ingest-${round}-${randomUUID()}`;
      const started = Date.now();
      const result = (await worker.runUntil(
        client.workflow.execute('ingestionWorkflow', { workflowId, taskQueue: config.pipeline.taskQueue, args: [{ settings: pipelineSettings(config), batchId }] }),
      )) as IngestionResult;
      const pipeline = Date.now() - started;
      await warehouse.close();
      if (result.status !== 'published') throw new Error(`the pipeline run was ${result.status}`);
      const steps = await stepTimes(client, workflowId);
      const [send, merge] = [steps.byType.get('sendEvents') ?? 0, steps.byType.get('mergeAttributes') ?? 0];
      if (!round) continue;
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
    console.log(`medians of ${rounds.length} rounds (each: direct then pipeline, same export, fresh DuckDB files); the Python worker polled ${seconds(workerStartMs)} after its start`);
    console.log(`  direct (raw here, dbt build):    ${seconds(direct).padStart(8)}  ${perSecond(events, direct).padStart(9)} events/s  ${perSecond(rows, direct).padStart(9)} rows/s`);
    console.log(`  pipeline, the same work:         ${seconds(sameWork).padStart(8)}  ${perSecond(events, sameWork).padStart(9)} events/s  ${perSecond(rows, sameWork).padStart(9)} rows/s`);
    console.log(`  pipeline end to end:             ${seconds(pipeline).padStart(8)}  ${perSecond(events, pipeline).padStart(9)} events/s  ${perSecond(rows, pipeline).padStart(9)} rows/s`);
    console.log(`    then, side by side: ${last.profiles.toLocaleString('en-US')} profiles given their changed attributes in ${seconds(merge)} (${perSecond(last.profiles, merge)}/s),`);
    console.log(`    and ${last.eventsSent.toLocaleString('en-US')} health_at_risk events to the routers in ${seconds(send)} (${perSecond(last.eventsSent, send)}/s)`);
    console.log(`  overhead, same work:             ${(sameWork / direct).toFixed(2)}x (target <= 1.2x)`);
    console.log(`  overhead, end to end:            ${(pipeline / direct).toFixed(2)}x`);
    console.log(`rounds: ${rounds.map((r, i) => `#${i + 1} direct ${seconds(r.direct)} / pipeline ${seconds(r.pipeline)} (profiles ${seconds(r.merge)}, events ${seconds(r.send)})`).join('; ')}`);
    console.log('  (round 1 starts a router for each at-risk customer; later rounds signal the routers round 1 started)');
    console.log(`  between steps (no activity running): ${seconds(median(rounds.map((r) => r.steps.between)))} over ${last.steps.activities} activities`);
    console.log(`last pipeline run, started to completed per activity type (steps scheduled together overlap, waiting their turn on DuckDB): ${[...last.steps.byType].sort((a, b) => b[1] - a[1]).map(([t, ms]) => `${t} ${seconds(ms)}`).join(', ')}`);
    await client.connection.close();
    await nativeConnection.close();
  } finally {
    await stopDirect?.();
    await stopPython?.();
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
