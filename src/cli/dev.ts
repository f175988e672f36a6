import type { ChildProcess } from 'node:child_process';
import type { Command } from 'commander';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { connectClient, connectWorker } from '../temporal/connect';
import { startOrReuseDevServer } from '../temporal/dev-server';
import fs from 'node:fs';
import { actorOf, createDeps, leftMessage, loadCatalog, publishCatalog, type Deps } from '../runtime';
import { publishTemplates } from '../templates/publish';
import { warehouseLease } from '../warehouse/open';
import { startWarehouseWorker } from '../warehouse/python';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { formatIssue } from '../journey/validate';
import { formatProblem } from '../journey/catalog';
import { describeStore } from '../store/store';
import { runDemo } from '../demo';
import { createJourneyWorker, createSendWorker } from '../../workers/journey-worker';
import { createAppForClient, listen } from '../api/server';
import { installTemporalRuntime } from '../temporal/runtime';
import { temporalDataConverter } from '../temporal/data-converter';
import { startCodecServer } from '../temporal/codec-server';
import { clientTracing } from '../telemetry/interceptors';
import { startTracing } from '../telemetry/tracing';
import { ModelRegistry } from '../scoring/registry';

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run everything on this machine: a Temporal dev server (reused when one answers), the journeys, pipeline and warehouse (Python) workers and the event API')
    .addHelpText(
      'after',
      `
On the first start (no customer yet) it enrols demo customers; WAYMARK_DEMO_ON_START=false skips that.
Ctrl-C (or SIGTERM) drains the worker for at most WAYMARK_WORKER_SHUTDOWN_GRACE, stops the event API
and the dev server this command started, and exits 0; a second Ctrl-C exits at once (code 130).

Examples:
  npm run dev                                   # the set-up, then this command
  WAYMARK_API_PORT=9000 WAYMARK_DEMO_ON_START=false waymark dev`,
    )
    .action(async () => {
      process.exitCode = await dev();
    });
}

/** `waymark dev`: everything on one laptop: Temporal dev server, journeys worker, event API, demo data on first start. */
async function dev(): Promise<number> {
  const config = loadConfig();
  const say = (line: string) => console.log(line);
  const ours: { devServer?: ChildProcess; warehouseWorker?: ChildProcess } = {};
  // Listening from the start: a Ctrl-C during start-up must still stop the dev server and the Python worker we start.
  const stop = onStopSignal(config.dev.repeatSignalGapMs, say, () => {
    ours.devServer?.kill();
    ours.warehouseWorker?.kill('SIGKILL');
  });
  // A person reads `waymark dev`, at a terminal or through a pipe (`npm run dev | tee dev.log`):
  // readable lines among the banner's, unless WAYMARK_LOG_FORMAT asks for json.
  const logs = config.logFormat === 'auto' ? { ...config, logFormat: 'pretty' as const } : config;
  installTemporalRuntime(createLogger(logs, 'worker'), config.worker.metricsAddress);
  const deps = createDeps(config, createLogger(logs, 'worker'));
  // Off unless WAYMARK_TRACING=true: everything runs in this one process, under one service name.
  const tracing = startTracing(config.tracing, 'dev', createLogger(logs, 'tracing'));
  const started: Array<() => Promise<void>> = [];
  if (tracing) started.push(() => tracing.shutdown());
  try {
    await deps.store.pool();
    started.push(async () => {
      await deps.store.close();
      if (deps.store.startedEmbedded()) await deps.store.stopEmbedded();
    });
    say(`Store: ${describeStore(config)}${config.store.url ? '' : deps.store.startedEmbedded() ? ', started' : ', already running; reusing it'}.`);
    await publishJourneyFiles(config, deps, say);
    const codec = await startCodecServer(config, createLogger(logs, 'codec-server'), deps.store);
    if (codec) started.push(() => codec.close());
    const server = await startOrReuseDevServer(config, say, { codecEndpoint: codec?.url });
    ours.devServer = server.process;
    started.push(() => server.stop());
    if (stop.requested()) return 0;
    const untraced = await connectClient(config, deps.store);
    started.push(() => untraced.connection.close());
    // Traced, the API's events and the demo's join the runs they start (the same connection).
    const client = tracing ? new Client({ connection: untraced.connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(config, deps.store), ...clientTracing(tracing) }) : untraced;
    const api = await listen(createAppForClient(config, client, createLogger(logs, 'api'), undefined, deps.store, tracing?.tracer), config);
    started.push(() => api.close());
    const worker = await stop.unless(
      createJourneyWorker({ connection: await connectWorker(config), namespace: config.temporal.namespace, taskQueue: config.temporal.journeyTaskQueue, deps, tuning: config.worker, dataConverter: temporalDataConverter(config, deps.store), tracing }),
    );
    if (!worker) return 0;
    const running = worker.run();
    running.catch(() => undefined); // a failure is awaited below; until then it must not count as unhandled (which exits without cleanup)
    started.push(() => drain(worker, running, config.worker.shutdownGraceMs, say));
    if (config.sends.ratePerSecond > 0) {
      const sender = await createSendWorker({ connection: await connectWorker(config), namespace: config.temporal.namespace, deps, tuning: config.worker, config, tracing });
      const sending = sender.run();
      sending.catch(() => undefined);
      started.push(() => drain(sender, sending, config.worker.shutdownGraceMs, say));
    }
    // dbt runs in the Python worker, on a task queue of its own; started now, it gets ready while the rest starts.
    const python = startWarehouseWorker(config, (line) => console.error(line));
    ours.warehouseWorker = python.process;
    started.push(() => python.stop(config.worker.shutdownGraceMs + 10_000));
    // The pipelines' worker opens the warehouse while one of its activities runs (a DuckDB file opens in one process at a time: dbt's turn is between them).
    const warehouse = warehouseLease(config);
    started.push(() => warehouse.close());
    const pipelineWorker = await stop.unless(createPipelineWorker({ connection: await connectWorker(config), config, warehouse, profiles: deps.profiles, models: new ModelRegistry(deps.store), tracing }));
    if (!pipelineWorker) return 0;
    const pipelineRunning = pipelineWorker.run();
    pipelineRunning.catch(() => undefined);
    started.push(() => drain(pipelineWorker, pipelineRunning, config.worker.shutdownGraceMs, say));
    await stop.unless(python.ready);

    say('');
    say(`Waymark is running.`);
    say(`  Temporal Web UI   ${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
    say(`  Temporal server   ${config.temporal.address} (namespace ${config.temporal.namespace})`);
    say(`  Journeys          ${(await deps.catalog.current()).all().map((j) => `${j.definition.id}@${j.version}`).join(', ')}`);
    say(`  Store             ${describeStore(config)}`);
    say(`  Payloads          ${codec ? `encrypted (key ${config.temporal.payloadKeys[0]!.id}); the Web UI decodes them through the codec server at ${codec.url}` : 'in clear (WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty)'}`);
    say(`  Task queues       ${config.temporal.journeyTaskQueue} (journeys), ${config.pipeline.taskQueue} (pipelines), ${config.warehouse.taskQueue} (dbt) and ${config.training.taskQueue} (model training), both Python worker`);
    say(`  Warehouse         ${config.warehouse.kind}${config.warehouse.kind === 'duckdb' ? ` ${config.warehouse.duckdbFile}` : ''}; 'waymark seed' then 'waymark schedules apply' runs the ingestion pipeline`);
    say(`  Messages          npm run waymark -- outbox`);
    say(`  Event API         ${api.url}/v1/events  (keys from WAYMARK_API_KEYS)`);
    say(`  Console           ${api.url}/console  (sign in with a key that has the read scope)`);
    say(`  API metrics       ${api.metricsUrl ?? 'off (WAYMARK_API_METRICS_ADDRESS is empty)'}`);
    const { count } = await client.workflow.count(`WorkflowType = 'customerWorkflow'`);
    if (count === 0 && config.demoOnStart) {
      say('');
      say('First start: enrolling demo customers (WAYMARK_DEMO_ON_START=false skips this):');
      await stop.unless(runDemo(client, config, say));
    }
    say('');
    say(`Try: ${temporalCliExample(config)}`);
    say(`     npm run waymark -- customer <id>`);
    say('Press Ctrl-C to stop.');
    await stop.unless(running);
    return 0;
  } finally {
    await stopAll(started.reverse(), say);
    say('Stopped.');
  }
}

/** Publishes the shipped journeys, WAYMARK_JOURNEYS_DIR's files and the templates, saying what changed and what was refused. */
async function publishJourneyFiles(config: Config, deps: Deps, say: (line: string) => void): Promise<void> {
  const report = await publishCatalog(config, deps.journeys, loadCatalog(config), 'start');
  for (const p of report.published) {
    if (p.outcome === 'left') say(`Not published: ${leftMessage(p)}.`);
    else if (p.outcome !== 'unchanged') say(`Published ${p.journeyId}@${p.version} from ${p.source}${p.previous ? ` (was ${p.previous})` : ''}.`);
  }
  for (const problem of report.problems) say(formatProblem(problem));
  if (!fs.existsSync(config.templates.dir)) return;
  const templates = await publishTemplates(config, deps.templates, actorOf(config));
  for (const p of templates.published) if (p.outcome !== 'unchanged') say(`Published template ${p.templateId}@${p.version} from ${p.source}.`);
  for (const r of templates.refused) say(`${r.source} was not published:\n${r.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
}

/** A Temporal CLI command that works as printed: the CLI is linked into .tools/bin (not on PATH), and may need our address. */
function temporalCliExample({ temporal }: Config): string {
  const flags = [
    ...(['127.0.0.1:7233', 'localhost:7233'].includes(temporal.address) ? [] : [`--address ${temporal.address}`]),
    ...(temporal.namespace === 'default' ? [] : [`--namespace ${temporal.namespace}`]),
  ];
  return [`npm run temporal -- workflow list --query "JourneyId='onboarding'"`, ...flags].join(' ');
}

/** Lets the worker finish its tasks in hand, for at most `graceMs`: stopping must not hang on one stuck activity. */
async function drain(worker: Worker, running: Promise<void>, graceMs: number, say: (line: string) => void): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const outcome = await Promise.race([running.then(() => 'drained' as const, () => 'failed' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') say(`The worker did not finish within ${graceMs / 1000}s (WAYMARK_WORKER_SHUTDOWN_GRACE); stopping anyway.`);
}

/** Stops what was started, newest first; one failure does not keep the rest (the dev server above all) running. */
async function stopAll(stops: Array<() => Promise<void>>, say: (line: string) => void): Promise<void> {
  for (const stopOne of stops) {
    try {
      await stopOne();
    } catch (err) {
      say(`while stopping: ${(err as Error).message}`);
    }
  }
}

interface StopSignal {
  requested(): boolean;
  /** `work`'s value, or undefined as soon as a stop is asked for (the work is then abandoned). */
  unless<T>(work: Promise<T>): Promise<T | undefined>;
}

/**
 * The first SIGINT/SIGTERM asks for a clean stop; a later one exits at once, after `beforeExit`.
 * A signal within `repeatGapMs` of the first is not "later": a terminal's Ctrl-C reaches us
 * directly and again through npm, which forwards the signals it gets to its script.
 */
function onStopSignal(repeatGapMs: number, say: (line: string) => void, beforeExit: () => void): StopSignal {
  let firstAt: number | undefined;
  let asked!: () => void;
  const stopping = new Promise<undefined>((resolve) => (asked = () => resolve(undefined)));
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      say(`\n${signal}: stopping (press Ctrl-C again to exit at once)...`);
      asked();
    } else if (Date.now() - firstAt >= repeatGapMs) {
      say(`${signal} again: exiting now.`);
      beforeExit();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested: () => firstAt !== undefined,
    unless: (work) => Promise.race([work, stopping]),
  };
}
