import type { ChildProcess } from 'node:child_process';
import type { Command } from 'commander';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { connectClient, connectWorker } from '../temporal/connect';
import { startOrReuseDevServer } from '../temporal/dev-server';
import { createDeps, loadCatalog } from '../runtime';
import { runDemo } from '../demo';
import { createJourneyWorker } from '../../workers/journey-worker';
import { createAppForClient, listen } from '../api/server';
import { installTemporalRuntime } from '../temporal/runtime';

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run everything on this machine: a Temporal dev server (reused when one answers), the journeys worker and the event API')
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
  const ours: { devServer?: ChildProcess } = {};
  // Listening from the start: a Ctrl-C during start-up must still stop the dev server we start.
  const stop = onStopSignal(config.dev.repeatSignalGapMs, say, () => ours.devServer?.kill());
  installTemporalRuntime(createLogger(config, 'worker'), config.worker.metricsAddress);
  const deps = createDeps(config, loadCatalog(config, createLogger(config, 'worker')));
  const server = await startOrReuseDevServer(config, say);
  ours.devServer = server.process;
  const started: Array<() => Promise<void>> = [() => server.stop()];
  try {
    if (stop.requested()) return 0;
    const client = await connectClient(config);
    started.push(() => client.connection.close());
    const api = await listen(createAppForClient(config, client, createLogger(config, 'api')), config);
    started.push(() => api.close());
    const worker = await stop.unless(
      createJourneyWorker({ connection: await connectWorker(config), namespace: config.temporal.namespace, taskQueue: config.temporal.journeyTaskQueue, deps, tuning: config.worker }),
    );
    if (!worker) return 0;
    const running = worker.run();
    running.catch(() => undefined); // a failure is awaited below; until then it must not count as unhandled (which exits without cleanup)
    started.push(() => drain(worker, running, config.worker.shutdownGraceMs, say));

    say('');
    say(`Waymark is running.`);
    say(`  Temporal Web UI   ${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
    say(`  Temporal server   ${config.temporal.address} (namespace ${config.temporal.namespace})`);
    say(`  Journeys          ${deps.catalog.all().map((j) => `${j.definition.id}@${j.version}`).join(', ')}`);
    say(`  Outbox            ${deps.outbox.dir}`);
    say(`  Task queue        ${config.temporal.journeyTaskQueue}`);
    say(`  Event API         ${api.url}/v1/events  (keys from WAYMARK_API_KEYS)`);
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
