/**
 * Records workflow histories of the shipped journeys and the customer router on a time-skipping
 * server, into tests/fixtures/histories/. tests/workflow/replay.test.ts replays them against the
 * current workflow code, so a change that would break running workflows fails the tests.
 * Re-record only when adding coverage, never to make a failing replay pass:
 *   npm run record:histories             (journeys and the router, into v2/)
 *   npm run record:histories -- pipeline [label] (the ingestion workflow, into pipeline/; a label,
 *     such as the change the code has just shipped, keeps the files of earlier code beside them)
 *   npm run record:histories -- early-signals [label] (a router and a journey run whose first
 *     workflow task carries signals besides the start, into v2/)
 *   npm run record:histories -- retraining [label] (a model approved by a person and one nobody
 *     decided on, into pipeline/)
 *   npm run record:histories -- scores (a journey run whose branch read a score, into v2/)
 *   npm run record:histories -- by-router (an onboarding run as a router starts it, its definition
 *     in its input, into v2/)
 *   npm run record:histories -- paths (a trial-conversion run that records its path in the store
 *     with its sends, before its waits and at its end, into v2/)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { createDeps, prepareStore, type Deps } from '../src/runtime';
import { routerSettings } from '../src/settings';
import { archiveSignal, customerStateQuery, customerWorkflowId, eventSignal, eventSignalName, journeyEndedSignal, journeyWorkflowId, syncRequestSignal } from '../workflows/contract';
import { customerWorkflow } from '../workflows/customer';
import { journeyWorkflow } from '../workflows/journey';
import { temporalBinary } from '../src/temporal/binaries';
import { pipelineSettings } from '../src/pipeline/settings';
import { leaseWarehouse } from '../src/warehouse/lease';
import { openDuckDb } from '../src/warehouse/duckdb';
import { startWarehouseWorker } from '../src/warehouse/python';
import { writeExports } from '../src/warehouse/seed/generate';
import { createPipelineWorker } from '../workers/pipeline-worker';
import type { Config } from '../src/config';
import { makeEvent, publishedJourney, runInput, startWorker, testConfig, timeSkippingEnv } from '../tests/support/harness';
import { releaseAll } from '../tests/support/cleanup';
import { ModelRegistry } from '../src/scoring/registry';
import { FeatureStore } from '../src/scoring/feature-store';
import { startRetraining } from '../src/scoring/retraining';
import { decideUpdate, retrainingProgressQuery } from '../workflows/pipeline/retraining-contract';
import { startDirectBuilds } from '../src/warehouse/dbt-direct';
import { findBatch } from '../src/warehouse/batch';
import { runBatch } from '../src/warehouse/run-batch';
import { warehouseTarget } from '../src/warehouse/build-target';

/** Histories of today's workflow code (v2); v1/ holds those recorded before it, kept for replay. */
const HISTORIES = path.resolve(__dirname, '../tests/fixtures/histories');
const HOUR = 3_600_000;

/** The CLI writes the canonical JSON form of a history (historyFromJSON reads it back). */
function save(address: string, folder: string, name: string, handle: WorkflowHandle): void {
  const json = execFileSync(temporalBinary('temporal'), ['workflow', 'show', '--address', address, '--workflow-id', handle.workflowId, '--output', 'json']);
  fs.mkdirSync(path.join(HISTORIES, folder), { recursive: true });
  fs.writeFileSync(path.join(HISTORIES, folder, `${name}.json`), json);
  console.log(`recorded ${folder}/${name}`);
}

/**
 * One ingestion batch published and one quarantined, on the pipelines task queue, the transform in
 * the Python worker on its own: ingestion[-label]-{published,quarantined}.
 */
async function recordPipeline(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config, deps: Deps, label?: string): Promise<void> {
  if (label !== undefined && !/^[a-z0-9-]+$/.test(label)) throw new Error(`the label "${label}" must be lower-case letters, digits and dashes`);
  const prefix = label ? `ingestion-${label}` : 'ingestion';
  writeExports({ landingDir: config.pipeline.landingDir, customers: 40, seed: 3, asOf: '2026-03-31', eventsPerCustomer: 5, days: 30, exportId: 'rec-good' });
  writeExports({ landingDir: config.pipeline.landingDir, customers: 40, seed: 4, asOf: '2026-04-01', eventsPerCustomer: 5, days: 30, exportId: 'rec-bad', corrupt: true });
  const file = path.join(process.env.WAYMARK_TEST_DIR!, 'rec.duckdb');
  const recording = { ...config, warehouse: { ...config.warehouse, duckdbFile: file }, temporal: { ...config.temporal, address: env.address } };
  const warehouse = leaseWarehouse('duckdb', () => openDuckDb(file));
  const python = startWarehouseWorker(recording, (line) => console.error(line));
  try {
    await python.ready;
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/pipeline') });
    const worker = await createPipelineWorker({ connection: env.nativeConnection, config: recording, warehouse, profiles: deps.profiles, models: new ModelRegistry(deps.store), workflowBundle: { code } });
    await worker.runUntil(async () => {
      for (const [name, batchId] of [[`${prefix}-published`, 'rec-good'], [`${prefix}-quarantined`, 'rec-bad']] as const) {
        const handle = await env.client.workflow.start('ingestionWorkflow', { workflowId: `rec-${name}`, taskQueue: config.pipeline.taskQueue, args: [{ settings: pipelineSettings(config), batchId }] });
        console.log(`${name}: ${JSON.stringify(await handle.result())}`);
        save(env.address, 'pipeline', name, handle);
      }
    });
  } finally {
    await warehouse.close();
    await python.stop(10_000);
  }
}

/**
 * Two retraining runs on the pipelines task queue, the training in the Python worker on its own:
 * churn approved through the Update, lead rejected when nobody decides in time
 * (retraining[-label]-{approved,timed-out}), on a batch of 200 customers published by dbt directly (fewer leave the churn rows without a churned customer).
 */
async function recordRetraining(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config, deps: Deps, label?: string): Promise<void> {
  if (label !== undefined && !/^[a-z0-9-]+$/.test(label)) throw new Error(`the label "${label}" must be lower-case letters, digits and dashes`);
  const prefix = label ? `retraining-${label}` : 'retraining';
  // A published batch (dbt run directly): the rows the models learn from and the features they score.
  const file = path.join(process.env.WAYMARK_TEST_DIR!, 'training.duckdb');
  const landingDir = path.join(process.env.WAYMARK_TEST_DIR!, 'landing');
  writeExports({ landingDir, customers: 200, seed: 11, asOf: '2026-03-31', eventsPerCustomer: 40, days: 120, exportId: 'rec-training' });
  const dbt = await startDirectBuilds();
  const direct = { warehouse: leaseWarehouse('duckdb', () => openDuckDb(file)), dbt, target: { ...warehouseTarget(config), kind: 'duckdb' as const, duckdbFile: file }, health: config.health, rowLimits: config.warehouse.rows };
  try {
    const batch = await direct.warehouse.use(async (w) => (await findBatch(w, landingDir, 'rec-training-run', 'rec-training'))!);
    console.log(`batch: ${(await runBatch(direct, batch)).status}`);
  } finally {
    await direct.warehouse.close();
    await dbt.close();
  }
  const recording = { ...config, warehouse: { ...config.warehouse, duckdbFile: file }, training: { ...config.training, minRows: 50 }, temporal: { ...config.temporal, address: env.address } };
  const python = startWarehouseWorker(recording, (line) => console.error(line));
  try {
    await python.ready;
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/pipeline') });
    const worker = await createPipelineWorker({ connection: env.nativeConnection, config: recording, warehouse: leaseWarehouse('duckdb', () => openDuckDb(file)), profiles: deps.profiles, models: new ModelRegistry(deps.store), workflowBundle: { code } });
    await worker.runUntil(async () => {
      const churn = await startRetraining(env.client, recording, 'churn');
      let progress = await churn.query(retrainingProgressQuery);
      while (progress.step !== 'awaiting approval') {
        if ((await churn.describe()).status.name !== 'RUNNING') throw new Error(`the churn run ended before awaiting approval: ${JSON.stringify(await churn.result())}`);
        progress = await new Promise((r) => setTimeout(r, 200)).then(() => churn.query(retrainingProgressQuery));
      }
      console.log(`churn: ${JSON.stringify(await churn.executeUpdate(decideUpdate, { args: [{ version: progress.registered!.version, approve: true, approver: 'recorder', note: 'recorded' }] }))}`);
      save(env.address, 'pipeline', `${prefix}-approved`, churn);
      // Waiting for the result skips the time: nobody decides.
      const lead = await startRetraining(env.client, recording, 'lead');
      console.log(`lead: ${JSON.stringify(await lead.result())}`);
      save(env.address, 'pipeline', `${prefix}-timed-out`, lead);
    });
  } finally {
    await python.stop(10_000);
  }
}

/**
 * Runs whose first workflow task holds signals besides the start (a worker that was down or
 * slow): a router that gets journeyEnded and syncRequest with its first event, and a journey run
 * archived before it first ran. Started on a queue no worker polls until the signals are in.
 */
async function recordEarlySignals(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config, deps: Deps, label?: string): Promise<void> {
  if (label !== undefined && !/^[a-z0-9-]+$/.test(label)) throw new Error(`the label "${label}" must be lower-case letters, digits and dashes`);
  const suffix = label ? `-${label}` : '';
  const late = { ...config, temporal: { ...config.temporal, journeyTaskQueue: `${config.temporal.journeyTaskQueue}-late` } };
  const at = new Date(await env.currentTimeMs()).toISOString();
  const onboarding = await publishedJourney(deps, 'onboarding');
  const router = await env.client.workflow.start(customerWorkflow, {
    workflowId: customerWorkflowId('rec-early'),
    taskQueue: late.temporal.journeyTaskQueue,
    args: [{ v: 2, customerId: 'rec-early', settings: routerSettings(config), resume: { customerId: 'rec-early', seen: [], eventsAccepted: 1, duplicatesIgnored: 0, decisions: [], journeys: { onboarding: { version: onboarding.version, active: true, entries: 1, lastEnteredAt: at, listensTo: ['activated'] } } } }],
  });
  await router.signal(journeyEndedSignal, { journeyId: 'onboarding', status: 'completed', at, reason: 'exit step done' });
  await router.signal(syncRequestSignal, { journeyId: 'onboarding', token: 'rec-token' });
  await router.signal(eventSignalName('page_viewed'), makeEvent('page_viewed', 'rec-early', await env.currentTimeMs()));
  const run = await env.client.workflow.start(journeyWorkflow, {
    workflowId: journeyWorkflowId('onboarding', 'rec-early-run'),
    taskQueue: late.temporal.journeyTaskQueue,
    args: [runInput(onboarding, config, makeEvent('signed_up', 'rec-early-run', await env.currentTimeMs()))],
  });
  await run.signal(archiveSignal, { actor: 'recorder', at });
  const worker = await startWorker(env.nativeConnection, late, deps);
  await worker.runUntil(async () => {
    // The router first: waiting for the journey's result skips time, up to the router's own timeout.
    let state = await router.query(customerStateQuery);
    while (state.eventsAccepted < 2) state = await new Promise((r) => setTimeout(r, 200)).then(() => router.query(customerStateQuery));
    console.log(`router: ${JSON.stringify(state.journeys.onboarding)}`);
    save(env.address, 'v2', `early-signals-router${suffix}`, router);
    await router.terminate('recorded');
    console.log(`journey run: ${JSON.stringify((await run.result()).reason)}`);
    save(env.address, 'v2', `early-signals-journey${suffix}`, run);
  });
}

/** A trial-conversion run whose day-7 branch read the lead score (the rules standing in: no model promoted). */
async function recordScored(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config, deps: Deps): Promise<void> {
  const customerId = 'rec-scored';
  await new FeatureStore(deps.store).put([{ customerId, asOf: '2026-12-01', features: { events_7d: 6, events_30d: 25, orders_30d: 0, revenue_30d: 0, tickets_30d: 0, days_since_active: 1 } }]);
  const run = await env.client.workflow.start(journeyWorkflow, {
    workflowId: journeyWorkflowId('trial-conversion', customerId),
    taskQueue: config.temporal.journeyTaskQueue,
    args: [runInput(await publishedJourney(deps, 'trial-conversion'), config, makeEvent('trial_started', customerId, await env.currentTimeMs()))],
  });
  await run.result();
  save(env.address, 'v2', 'trial-conversion-scored', run);
}

/** An onboarding run as a router starts it: the definition comes in its input, no activity loads it. */
async function recordStartedByRouter(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config): Promise<void> {
  const customerId = 'rec-by-router';
  const router = await env.client.workflow.signalWithStart(customerWorkflow, {
    workflowId: customerWorkflowId(customerId),
    taskQueue: config.temporal.journeyTaskQueue,
    args: [{ v: 2, customerId, settings: routerSettings(config) }],
    signal: eventSignalName('signed_up'),
    signalArgs: [makeEvent('signed_up', customerId, await env.currentTimeMs())],
  });
  const run = env.client.workflow.getHandle(journeyWorkflowId('onboarding', customerId));
  for (let tries = 0; !(await run.describe().then(() => true, () => false)); tries++) {
    if (tries > 100) throw new Error('the router did not start the onboarding run');
    await new Promise((r) => setTimeout(r, 100));
  }
  await env.sleep(26 * HOUR);
  await router.signal(eventSignalName('activated'), makeEvent('activated', customerId, await env.currentTimeMs()));
  await run.result();
  save(env.address, 'v2', 'onboarding-started-by-router', run);
  const { status } = await router.describe();
  console.log(`the router: ${status.name}`);
  if (status.name === 'RUNNING') await router.terminate('recorded');
}

async function main(): Promise<void> {
  process.env.WAYMARK_TEST_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-record-'));
  const bundlePath = path.join(process.env.WAYMARK_TEST_DIR, 'bundle.js');
  fs.writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') })).code);
  process.env.WAYMARK_TEST_BUNDLE = bundlePath;

  const env = await timeSkippingEnv();
  const config = testConfig();
  const deps = createDeps(config);
  try {
    await recordSet(env, config, deps, process.argv[2], process.argv[3]);
  } finally {
    // Also after a failure: a server or a PostgreSQL left running holds its port for the next run.
    // A worker a failure left (the harness registers each, tests/support/cleanup.ts) first: while
    // one holds the server's connection, neither closes and the process never ends.
    for (const { what, note } of await releaseAll(undefined, 30_000, ['worker'])) console.error(`released ${what}${note ? ` (${note})` : ''}`);
    await env.teardown();
    await deps.store.close();
    await deps.store.stopEmbedded();
  }
}

/** A trial-conversion run whose settings say recordPath: its sends carry the path, its waits and its end record it. */
async function recordPaths(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config, deps: Deps): Promise<void> {
  const customerId = 'rec-paths';
  const input = runInput(await publishedJourney(deps, 'trial-conversion'), config, makeEvent('trial_started', customerId, await env.currentTimeMs()));
  if (!input.settings.recordPath) throw new Error('runInput no longer sets recordPath: this history would not cover it');
  const run = await env.client.workflow.start(journeyWorkflow, { workflowId: journeyWorkflowId('trial-conversion', customerId), taskQueue: config.temporal.journeyTaskQueue, args: [input] });
  await run.result();
  save(env.address, 'v2', 'trial-conversion-recording-path', run);
}

/** journeys (the default), pipeline, retraining, early-signals, scores, by-router or paths; see the top of this file. */
async function recordSet(env: Awaited<ReturnType<typeof timeSkippingEnv>>, config: Config, deps: Deps, set = 'journeys', label?: string): Promise<void> {
  // early-signals starts its worker once the signals are in: a worker made here and never run
  // would hold the server's connection, and the process would never end. The shipped journeys
  // are published as startWorker would.
  if (set === 'early-signals') return prepareStore(deps).then(() => recordEarlySignals(env, config, deps, label));
  const worker = await startWorker(env.nativeConnection, config, deps);
  const record = async (name: string, handle: WorkflowHandle) => save(env.address, 'v2', name, handle);
  if (set === 'pipeline') await worker.runUntil(() => recordPipeline(env, config, deps, label));
  else if (set === 'retraining') await worker.runUntil(() => recordRetraining(env, config, deps, label));
  else if (set === 'scores') await worker.runUntil(() => recordScored(env, config, deps));
  else if (set === 'by-router') await worker.runUntil(() => recordStartedByRouter(env, config));
  else if (set === 'paths') await worker.runUntil(() => recordPaths(env, config, deps));
  else await worker.runUntil(async () => {
    const now = () => env.currentTimeMs();
    const journeyRun = async (journeyId: string, customerId: string, entryType: string, extra = {}) =>
      env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId(journeyId, customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(await publishedJourney(deps, journeyId), config, makeEvent(entryType, customerId, await now(), extra))],
      });

    const onboarding = await journeyRun('onboarding', 'rec-onb', 'signed_up');
    await env.sleep(26 * HOUR);
    await onboarding.signal(eventSignal, makeEvent('activated', 'rec-onb', await now()));
    await onboarding.result();
    await record('onboarding-activated', onboarding);

    const trial = await journeyRun('trial-conversion', 'rec-trial', 'trial_started', { context: { timezone: 'Europe/Paris' } });
    await trial.result();
    await record('trial-conversion-full', trial);

    const churn = await journeyRun('churn-prevention', 'rec-churn', 'health_at_risk', { properties: { score: 20 } });
    await env.sleep(2 * HOUR);
    await churn.signal(eventSignal, makeEvent('session_started', 'rec-churn', await now()));
    await churn.result();
    await record('churn-prevention-retained', churn);

    const router = await env.client.workflow.signalWithStart(customerWorkflow, {
      workflowId: customerWorkflowId('rec-router'),
      taskQueue: config.temporal.journeyTaskQueue,
      args: [{ v: 2, customerId: 'rec-router', settings: routerSettings(config) }],
      signal: eventSignalName('signed_up'),
      signalArgs: [makeEvent('signed_up', 'rec-router', await now())],
    });
    const duplicate = makeEvent('trial_started', 'rec-router', await now());
    await router.signal(eventSignalName('trial_started'), duplicate);
    await router.signal(eventSignalName('trial_started'), duplicate);
    await env.sleep(HOUR);
    await router.signal(eventSignalName('subscription_started'), makeEvent('subscription_started', 'rec-router', await now()));
    await env.client.workflow.getHandle(journeyWorkflowId('trial-conversion', 'rec-router')).result();
    await env.sleep(HOUR);
    await record('customer-router', router);
    await router.terminate('recorded');
    await env.client.workflow.getHandle(journeyWorkflowId('onboarding', 'rec-router')).terminate('recorded');
  });
}

main().then(
  () => {
    // Everything is closed and the process ends now; should something still hold it, say what, and end anyway.
    setTimeout(() => {
      console.error(`still open after recording: ${process.getActiveResourcesInfo().join(', ')}; exiting`);
      process.exit(0);
    }, 10_000).unref();
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
