import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { WorkflowFailedError, CancelledFailure } from '@temporalio/client';
import { applySchedules, listSchedules, outcomeOf } from '../../src/pipeline/schedules';
import { pipelineSettings } from '../../src/pipeline/settings';
import type { WarehouseLease } from '../../src/warehouse/lease';
import { warehouseLease } from '../../src/warehouse/open';
import type { Row } from '../../src/warehouse/port';
import { writeExports } from '../../src/warehouse/seed/generate';
import { customerWorkflowId, eventSignalName } from '../../workflows/contract';
import { progressQuery, type IngestionResult } from '../../workflows/pipeline/contract';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { createDeps, type Deps } from '../../src/runtime';
import { runWaymark } from '../support/cli';
import { devServer, eventually } from '../support/dev-server';
import { startWorker } from '../support/harness';
import { BatchStatus } from '../../src/temporal/search-attributes';
import { startWarehouseWorker, type PythonWorker } from '../support/warehouse-python';
import { historyBytes, metadataText, payloadsIn, rawHistory } from '../support/raw-history';
import { ModelRegistry } from '../../src/scoring/registry';

/** The batch's checks: the dbt project's tests, its source freshness, and what the load read in each export (those the legacy checks.yaml had keep its names). */
const CHECKS = [
  'attribution_model_known', 'braze_engagement_fresh', 'braze_engagement_readable_lines', 'braze_engagement_schema', 'braze_external_id_present', 'braze_id_present',
  'contacts_email_present', 'contacts_id_present', 'customer_360_email_format', 'customer_360_id_not_null', 'customer_360_lifecycle_known', 'customer_360_unique_email',
  'customer_360_unique_id', 'events_customer_in_360', 'events_fresh', 'events_known_source', 'events_time_not_null', 'events_unique_id', 'firebase_event_id_present',
  'firebase_events_fresh', 'firebase_events_readable_lines', 'firebase_events_schema', 'firebase_readable_times', 'firebase_user_id_present', 'ga360_hits_fresh',
  'ga360_hits_readable_lines', 'ga360_hits_schema', 'ga360_readable_times', 'google_ads_campaign_stats_fresh', 'google_ads_campaign_stats_readable_lines',
  'google_ads_campaign_stats_schema', 'google_ads_readable_costs', 'health_category_known', 'health_unique_customer', 'identity_components_settled',
  'identity_customer_not_null', 'identity_unique_key', 'lead_scoring_unique_customer', 'leads_id_present', 'opportunities_readable_amounts', 'raw_row_count',
  'salesforce_contacts_fresh', 'salesforce_contacts_readable_lines', 'salesforce_contacts_schema', 'salesforce_leads_fresh', 'salesforce_leads_readable_lines',
  'salesforce_leads_schema', 'salesforce_opportunities_readable_lines', 'salesforce_opportunities_schema', 'shopify_customer_id_present', 'shopify_email_present',
  'shopify_id_present', 'shopify_orders_fresh', 'shopify_orders_readable_lines', 'shopify_orders_schema', 'shopify_readable_amounts', 'shopify_readable_times',
  'zendesk_id_present', 'zendesk_tickets_fresh', 'zendesk_tickets_readable_lines', 'zendesk_tickets_schema',
];

/**
 * The ingestion workflow on the pipelines task queue of a real dev server, started by its Temporal
 * Schedule, its transform (dbt) in a real Python worker process on its own queue; every payload
 * encrypted (WAYMARK_TEMPORAL_PAYLOAD_KEYS), the Python worker's with them.
 */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('ingestion pipeline on Temporal', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  // The pipeline worker's: the file is open only while one of its activities (or a query here) runs.
  let warehouse: WarehouseLease;
  const query = <T extends Row>(sql: string, params?: Record<string, string>) => warehouse.use((w) => w.query<T>(sql, params));
  let python: PythonWorker;
  let worker: Worker;
  let running: Promise<void>;
  // The journeys worker: the routers that get the pipeline's events, and the journeys they start.
  let deps: Deps;
  let journeys: Worker;
  let journeysRunning: Promise<void>;

  beforeAll(async () => {
    const id = randomUUID().slice(0, 8);
    server = await devServer({ WAYMARK_PIPELINES_TASK_QUEUE: `pipelines-${id}`, WAYMARK_WAREHOUSE_TASK_QUEUE: `warehouse-${id}`, WAYMARK_PIPELINE_SCHEDULE_ID: `ingestion-${id}`, WAYMARK_TRAINING_SCHEDULE_ID: `retraining-${id}`, WAYMARK_AUDIENCE_SCHEDULE_PREFIX: `audience-${id}`, WAYMARK_SCORE_SCHEDULE_ID: `scoring-${id}`, WAYMARK_PIPELINE_SCHEDULE_EVERY: '1h', WAYMARK_PIPELINE_HEARTBEAT_TIMEOUT: '3s', WAYMARK_TEMPORAL_PAYLOAD_KEYS: `p1:${randomBytes(32).toString('base64')}` });
    const { config } = server;
    writeExports({ landingDir: config.pipeline.landingDir, customers: 120, seed: 3, asOf: '2026-03-31', eventsPerCustomer: 15, days: 60, exportId: 'b1' });
    warehouse = warehouseLease(config);
    python = await startWarehouseWorker(config);
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
    deps = createDeps(config);
    worker = await createPipelineWorker({ connection: server.nativeConnection, config, warehouse, profiles: deps.profiles, models: new ModelRegistry(deps.store), workflowBundle: { code } });
    running = worker.run();
    journeys = await startWorker(server.nativeConnection, config, deps);
    journeysRunning = journeys.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    journeys?.shutdown();
    await Promise.all([running, journeysRunning]);
    await deps?.store.close();
    await warehouse?.close();
    await python?.kill();
    await server?.close();
  });

  test('schedules apply creates the schedule, applying again updates it in place, and a triggered run publishes the batch', async () => {
    const { client, config } = server;
    // The ingestion schedule, each model's retraining (weekly, tests/scoring/retraining.test.ts runs one) and scoring, and the shipped audience's refresh.
    const models = ['churn', 'lead', 'value'];
    const ids = [config.pipeline.scheduleId, ...models.map((m) => `${config.training.scheduleId}-${m}`), ...models.map((m) => `${config.scoring.scheduleId}-${m}`), `${config.audiences.schedulePrefix}-paying-at-risk`];
    expect((await applySchedules(client, config)).map((c) => [c.scheduleId, c.change, c.every])).toEqual(ids.map((id, i) => [id, 'created', ['1h', '7d', '7d', '7d', '1h', '1h', '1h', '15m'][i]]));
    expect((await applySchedules(client, config)).map((c) => [c.scheduleId, c.change])).toEqual(ids.map((id) => [id, 'updated']));
    const described = await client.schedule.getHandle(config.pipeline.scheduleId).describe();
    expect(described.action).toMatchObject({ workflowType: 'ingestionWorkflow', taskQueue: config.pipeline.taskQueue, staticSummary: expect.stringMatching(/^Warehouse batch from .+ \(schedule .+, every 1h\)$/) });
    expect(described.policies.overlap).toBe('SKIP');

    await client.schedule.getHandle(config.pipeline.scheduleId).trigger();
    const workflowId = await eventually(async () => (await client.schedule.getHandle(config.pipeline.scheduleId).describe()).info.recentActions[0]?.action.workflow.workflowId, 'the triggered run');
    const result = (await client.workflow.getHandle(workflowId).result()) as IngestionResult;
    expect(result).toMatchObject({ status: 'published', batchId: 'b1', quality: expect.any(Number) });
    if (result.status !== 'published') throw new Error(`the run was ${result.status}`);
    // The changed attributes went into profiles; only the at-risk customers got an event.
    expect(result.eventsSent).toBe(result.atRisk);
    expect(result.profiles).toEqual({ updated: result.attributes, refused: 0, examples: [] });
    // The first batch: every customer's attributes are new.
    const [{ n }] = (await query<{ n: number }>('SELECT COUNT(*) AS n FROM waymark_marts.customer_health')) as [{ n: number }];
    expect(result.attributes).toBe(n);
    // Every check's outcome is recorded under the run, once.
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    const recorded = await query<{ check_name: string }>('SELECT check_name FROM waymark_ops.check_results WHERE run_id = @run_id ORDER BY check_name', { run_id: runId });
    expect(recorded.map((r) => r.check_name)).toEqual(CHECKS);
    // The features as of the batch joined their history (dbt's incremental model, after the publish).
    const history = await query<{ as_of: string; n: number }>('SELECT as_of, COUNT(*) AS n FROM waymark_marts.ml_features_history GROUP BY as_of');
    const [features] = await query<{ n: number }>('SELECT COUNT(*) AS n FROM waymark_marts.ml_features');
    expect(history).toEqual([{ as_of: '2026-03-31', n: features!.n }]);

    // How it ended is a search attribute (the UI's list says COMPLETED for every outcome) and the run's current details.
    await expectOutcomeShown(workflowId, 'published', /^\*\*published\*\* batch b1 \(\d+ raw rows · quality \d+%\)/);
    expect(await (await client.workflow.getHandle(workflowId).describe()).staticSummary()).toMatch(/^Warehouse batch from /);
    const [view] = await listSchedules(client, config);
    expect(view!.recent).toEqual([expect.objectContaining({ workflowId, status: 'COMPLETED', outcome: outcomeOf(result) })]);
    expect(outcomeOf(result)).toMatch(new RegExp(`^published b1 \\(quality \\d+\\): ${result.rawRows.toLocaleString('en-US')} raw rows, ${result.attributes} profiles updated, ${result.eventsSent} events sent(; warnings: .*)?$`));
    expect(view!.next.length).toBeGreaterThan(0);
  });

  test("customers' warehouse attributes are in their profiles, and those whose health crossed into at_risk got a health_at_risk event in their router's history and entered churn prevention", async () => {
    const health = await query<{ customer_id: string; email: string; plan: string; company_size: string; score: number; category: string }>(
      'SELECT customer_id, email, plan, company_size, score, category FROM waymark_marts.customer_health ORDER BY customer_id',
    );
    for (const row of health) {
      expect(await deps.profiles.get(row.customer_id)).toMatchObject({
        plan: row.plan,
        company_size: row.company_size,
        health_score: row.score,
        health_category: row.category,
        contact: { email: row.email },
      });
    }
    const atRisk = health.find((row) => row.category === 'at_risk');
    expect(atRisk).toBeDefined();
    // Once, on a loaded machine, the router's history read right after the run lacked this event: wait for it rather than read once.
    const names = await eventually(async () => {
      const history = await server.client.workflow.getHandle(customerWorkflowId(atRisk!.customer_id)).fetchHistory();
      const signals = history.events!.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
      return signals.includes(eventSignalName('health_at_risk')) ? signals : undefined;
    }, "the router's health_at_risk event");
    expect(names).toEqual([eventSignalName('health_at_risk')]);
    // What the warehouse knows of customers reached their profiles and routers, and Temporal's history holds none of it in clear.
    const batchRun = (await server.client.schedule.getHandle(server.config.pipeline.scheduleId).describe()).info.recentActions[0]!.action.workflow.workflowId;
    // The batch's run is under the master key; the customer's router under their own data key (which erasure destroys).
    for (const [workflowId, keyIds] of [[batchRun, /^p1$/], [customerWorkflowId(atRisk!.customer_id), /^customer:[0-9a-f-]{36}$/]] as const) {
      const events = await rawHistory(server.client, server.config.temporal.namespace, workflowId);
      expect({ workflowId, email: historyBytes(events).includes(atRisk!.email) }).toEqual({ workflowId, email: false });
      const used = [...new Set(payloadsIn(events).map((p) => metadataText(p, 'encryption-key-id')))];
      expect({ workflowId, used: used.length, all: used.every((id) => keyIds.test(id)) }).toEqual({ workflowId, used: 1, all: true });
    }
    const calm = health.find((row) => row.category !== 'at_risk')!;
    await expect(server.client.workflow.getHandle(customerWorkflowId(calm.customer_id)).describe()).rejects.toThrow(/not found/i);

    // The shipped churn-prevention journey enters on that event: its first message is the win-back offer.
    const sends = await eventually(async () => {
      const rows = await deps.ledger.forCustomer(atRisk!.customer_id);
      return rows.some((r) => r.state === 'sent') ? rows : undefined;
    }, 'the win-back offer', 30_000);
    expect(sends.map((r) => [r.template, r.state])).toEqual([['churn-winback-offer', 'sent']]);
  });

  test('`waymark schedules list` before `apply` says the schedule is not created yet; after it, the interval reads as a duration', async () => {
    const scheduleId = `cli-${randomUUID().slice(0, 8)}`;
    const retraining = `cli-retraining-${randomUUID().slice(0, 8)}`;
    const audiences = `cli-audience-${randomUUID().slice(0, 8)}`;
    const scoring = `cli-scoring-${randomUUID().slice(0, 8)}`;
    const env = { WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address, WAYMARK_PIPELINE_SCHEDULE_ID: scheduleId, WAYMARK_PIPELINE_SCHEDULE_EVERY: '1h', WAYMARK_PIPELINE_SCHEDULE_PAUSED: 'true', WAYMARK_TRAINING_SCHEDULE_ID: retraining, WAYMARK_SCORE_SCHEDULE_ID: scoring, WAYMARK_AUDIENCE_SCHEDULE_PREFIX: audiences, WAYMARK_LOG_LEVEL: 'silent' };
    const ids = [scheduleId, `${retraining}-churn`, `${retraining}-lead`, `${retraining}-value`, `${scoring}-churn`, `${scoring}-lead`, `${scoring}-value`, `${audiences}-paying-at-risk`];
    const before = await runWaymark(['schedules', 'list'], env);
    expect({ code: before.code, stdout: before.stdout, stderr: before.stderr }).toEqual({ code: 0, stdout: ids.map((id) => `${id}: not created yet; 'waymark schedules apply' creates it from config\n`).join(''), stderr: '' });
    // Triggering one before it exists (what a new user following "seed, then trigger" does) says what creates it.
    const early = await runWaymark(['schedules', 'trigger'], env);
    expect({ code: early.code, stdout: early.stdout, stderr: early.stderr }).toEqual({ code: 1, stdout: '', stderr: `waymark: there is no schedule "${scheduleId}" yet: 'waymark schedules apply' creates the schedules from config ('waymark schedules list' shows which exist)\n` });
    const applied = await runWaymark(['schedules', 'apply'], env);
    expect(applied.stdout).toMatch(new RegExp(`^created ${scheduleId}: every 1h on task queue \\S+ \\(paused\\)\ncreated ${retraining}-churn: every 7d on task queue \\S+\n`));
    const after = await runWaymark(['schedules', 'list'], env);
    expect(after.stdout.split('\n')[0]).toBe(`${scheduleId}  every 1h  overlap skip  PAUSED`);
    expect(after.stdout).toContain(`${retraining}-churn  every 7d  overlap skip\n`);
    for (const id of ids) await server.client.schedule.getHandle(id).delete();
  });

  test('a quarantined batch says so where an operator looks: BatchStatus in the list, the reason in its current details', async () => {
    const { client, config } = server;
    writeExports({ landingDir: config.pipeline.landingDir, customers: 40, seed: 5, asOf: '2026-04-02', eventsPerCustomer: 5, days: 30, exportId: 'b-bad', corrupt: true });
    const workflowId = `pipeline-bad-${randomUUID()}`;
    const result = await client.workflow.execute('ingestionWorkflow', { workflowId, taskQueue: config.pipeline.taskQueue, args: [{ settings: pipelineSettings(config), batchId: 'b-bad' }] });
    expect(result).toMatchObject({ status: 'quarantined', batchId: 'b-bad' });
    await expectOutcomeShown(workflowId, 'quarantined', new RegExp(`^\\*\\*quarantined\\*\\* batch b-bad \\(\\d+ raw rows · quality \\d+%\\): ${escapeRegExp((result as { reason: string }).reason)}$`));
  });

  /** The run's BatchStatus, found by a list query too, and its current details (the UI's run page). */
  async function expectOutcomeShown(workflowId: string, status: string, details: RegExp): Promise<void> {
    const handle = server.client.workflow.getHandle(workflowId);
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(BatchStatus)).toBe(status);
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const run of server.client.workflow.list({ query: `WorkflowId = '${workflowId}' AND BatchStatus = '${status}'` })) ids.push(run.workflowId);
      return ids.length ? ids : undefined;
    }, `the run listed as ${status}`);
    expect(listed).toEqual([workflowId]);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(details);
  }

  test('a run with an export that is not there fails at once, naming the folder, instead of retrying', async () => {
    const { client, config } = server;
    const run = client.workflow.execute('ingestionWorkflow', {
      workflowId: `pipeline-missing-${randomUUID()}`,
      taskQueue: config.pipeline.taskQueue,
      args: [{ settings: pipelineSettings(config), batchId: 'no-such-export' }],
    });
    await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(run).rejects.toMatchObject({ cause: { cause: { message: expect.stringContaining(`no export "no-such-export" in ${config.pipeline.landingDir}`) } } });
    expect(fs.existsSync(path.join(config.pipeline.landingDir, 'b1'))).toBe(true);
  });

  test('a cancelled run stops within the step under way (nothing is scheduled after the request), and the batch runs again cleanly', async () => {
    const { client, config } = server;
    writeExports({ landingDir: config.pipeline.landingDir, customers: 120, seed: 4, asOf: '2026-04-01', eventsPerCustomer: 15, days: 60, exportId: 'b2' });
    const start = () =>
      client.workflow.start('ingestionWorkflow', { workflowId: `pipeline-cancel-${randomUUID()}`, taskQueue: config.pipeline.taskQueue, args: [{ settings: pipelineSettings(config), batchId: 'b2' }] });
    const handle = await start();
    await eventually(async () => ((await handle.query(progressQuery)).step === 'load raw' ? true : undefined), 'the run to be loading raw', 30_000);
    await handle.cancel();
    await expect(handle.result()).rejects.toMatchObject({ cause: expect.any(CancelledFailure) });
    const events = (await handle.fetchHistory()).events!;
    const requested = events.findIndex((e) => e.workflowExecutionCancelRequestedEventAttributes);
    expect(requested).toBeGreaterThan(0);
    expect(events.slice(requested).some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    // The step under way ended (completed or cancelled at a heartbeat) before the run did.
    const last = events.slice(requested).filter((e) => e.activityTaskCompletedEventAttributes || e.activityTaskCanceledEventAttributes);
    expect(last.length).toBeGreaterThan(0);

    const again = await (await start()).result();
    if (again.status === 'quarantined') console.log(again.reason);
    expect(again).toMatchObject({ status: 'published', batchId: 'b2' });
  });
});
