import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { createDeps, type Deps } from '../../src/runtime';
import { ModelRegistry } from '../../src/scoring/registry';
import { warehouseLease } from '../../src/warehouse/open';
import { AUDIENCE_WORKFLOW, type AudienceInput, type AudienceOutcome } from '../../workflows/pipeline/audience-contract';
import { customerWorkflowId, eventSignalName, journeyWorkflowId } from '../../workflows/contract';
import { pipelineSettings } from '../../src/pipeline/settings';
import { refreshAudience } from '../../src/audiences/refresh';
import type { Audience } from '../../src/audiences/schema';
import type { CustomerEvent } from '../../src/events/schema';
import { createPipelineWorker } from '../../workers/pipeline-worker';
import { devServer, eventually } from '../support/dev-server';
import { runWaymark } from '../support/cli';
import { startWorker, storeEnv } from '../support/harness';

/**
 * Audiences on a real dev server and store: the pipeline worker evaluates one over every profile,
 * customers who came to match get audience_entered, which starts a journey of a designer's file,
 * paced; the next evaluation sends nothing again, and someone who stopped matching leaves.
 */
describe('audiences', () => {
  let server: Awaited<ReturnType<typeof devServer>>;
  let deps: Deps;
  let pipeline: Worker;
  let journeys: Worker;
  let running: Array<Promise<void>> = [];
  let journeysDir: string;
  let overrides: Record<string, string>;
  const prefix = `aud-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const id = randomUUID().slice(0, 8);
    journeysDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'journeys-'));
    fs.mkdirSync(path.join(journeysDir, 'audiences'));
    // Pro customers the churn model rates at 0.7 or more; enrolled at 2 a second.
    fs.writeFileSync(path.join(journeysDir, 'audiences', 'risky-pro.yaml'), 'name: risky-pro\nwhen:\n  all:\n    - { attribute: plan, op: eq, value: pro }\n    - { score: churn, op: gte, value: 0.7 }\n');
    fs.writeFileSync(
      path.join(journeysDir, 'risky-pro-review.json'),
      JSON.stringify({
        id: 'risky-pro-review',
        name: 'Risky pro review',
        entry: { event: 'audience_entered', filter: { property: 'audience', op: 'eq', value: 'risky-pro' } },
        start: 'mark',
        steps: { mark: { kind: 'update_attribute', attribute: 'reviewed', value: true, next: 'done' }, done: { kind: 'exit' } },
      }),
    );
    overrides = { WAYMARK_PIPELINES_TASK_QUEUE: `pipelines-${id}`, WAYMARK_JOURNEYS_DIR: journeysDir, WAYMARK_AUDIENCE_ENROL_RATE: '2', WAYMARK_AUDIENCE_SCHEDULE_PREFIX: prefix };
    server = await devServer(overrides);
    const { config } = server;
    deps = createDeps(config);
    journeys = await startWorker(server.nativeConnection, config, deps);
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never });
    pipeline = await createPipelineWorker({ connection: server.nativeConnection, config, warehouse: warehouseLease(config), profiles: deps.profiles, models: new ModelRegistry(deps.store), workflowBundle: { code } });
    running = [journeys.run(), pipeline.run()];
  }, 120_000);
  afterAll(async () => {
    journeys?.shutdown();
    pipeline?.shutdown();
    await Promise.all(running);
    await deps?.store.close();
    await server?.close();
  });

  const traits = (customerId: string, t: Record<string, unknown>) => deps.profiles.apply(customerId, { traits: t }, `traits-${randomUUID()}`);
  const evaluate = async (mode: AudienceInput['mode'] = 'changes') =>
    (await server.client.workflow.execute(AUDIENCE_WORKFLOW, {
      workflowId: `audience-test-${randomUUID()}`,
      taskQueue: server.config.pipeline.taskQueue,
      args: [{ name: 'risky-pro', mode, settings: pipelineSettings(server.config) } satisfies AudienceInput],
    })) as AudienceOutcome;
  const cli = (...args: string[]) => runWaymark(['audiences', ...args], { ...overrides, ...storeEnv(server.config), WAYMARK_TEMPORAL_ADDRESS: server.config.temporal.address, WAYMARK_DATA_DIR: server.config.dataDir, WAYMARK_LOG_LEVEL: 'silent' });

  it('enters the customers who came to match, once, paced; a journey starts for each; one who stops matching leaves', async () => {
    const run = randomUUID().slice(0, 6);
    const risky = [1, 2, 3, 4, 5].map((i) => `risky-${run}-${i}`);
    for (const id of risky) await traits(id, { plan: 'pro', churn_score: 0.8 });
    await traits(`calm-${run}`, { plan: 'pro', churn_score: 0.2 });
    await traits(`free-${run}`, { plan: 'free', churn_score: 0.9 });
    await traits(`unscored-${run}`, { plan: 'pro' });

    const preview = await cli('preview', 'risky-pro');
    expect(preview.stdout).toContain('risky-pro: 5 member(s) now (when all(plan = "pro", score.churn ≥ 0.7))');
    expect(preview.stdout).toContain('would enter  5');

    const started = Date.now();
    const first = await evaluate();
    // 5 events at 2 a second: three seconds' worth, so at least two seconds of waiting.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(first).toMatchObject({ audience: 'risky-pro', mode: 'changes', members: 5, entered: 5, left: 0, sent: 5 });
    for (const id of risky) {
      const history = await server.client.workflow.getHandle(customerWorkflowId(id)).fetchHistory();
      expect((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === eventSignalName('audience_entered'))).toHaveLength(1);
      await eventually(async () => ((await deps.profiles.get(id))?.reviewed === true ? true : undefined), `the review journey for ${id}`);
    }
    await expect(server.client.workflow.getHandle(journeyWorkflowId('risky-pro-review', `calm-${run}`)).describe()).rejects.toThrow(/not found/i);

    // Again: nobody new, nothing sent.
    expect(await evaluate()).toMatchObject({ members: 5, entered: 0, left: 0, sent: 0 });
    // One's score falls, another comes to match: one leaves, one enters.
    await traits(risky[0]!, { churn_score: 0.3 });
    await traits(`calm-${run}`, { churn_score: 0.75 });
    expect(await evaluate()).toMatchObject({ members: 5, entered: 1, left: 1, sent: 1 });
    await eventually(async () => ((await deps.profiles.get(`calm-${run}`))?.reviewed === true ? true : undefined), 'the review journey for the newcomer');

    // The audience's schedule enrols everyone: each member gets the event; the journey's re-entry rule (never) starts no second run.
    expect(await evaluate('everyone')).toMatchObject({ members: 5, entered: 0, left: 0, sent: 5 });
    const review = await server.client.workflow.getHandle(journeyWorkflowId('risky-pro-review', risky[1]!)).describe();
    expect(review.status.name).toBe('COMPLETED');

    const show = await cli('show', 'risky-pro');
    expect(show.stdout).toContain('members      5 at the last evaluation');
    expect(show.stdout).toContain(`schedule ${prefix}-risky-pro`);
  }, 180_000);

  it('evaluates one audience once at a time: two evaluations at once (workers side by side) send each newcomer one event', async () => {
    const run = randomUUID().slice(0, 6);
    const audience = { name: `pair-${run}`, when: { all: [{ attribute: 'cohort', op: 'eq', value: run }] } } as Audience;
    for (const i of [1, 2, 3]) await traits(`pair-${run}-${i}`, { cohort: run });
    const sent: string[] = [];
    // A slow router: the first evaluation is still sending when the second starts.
    const submit = async (event: CustomerEvent) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      sent.push(event.customerId);
    };
    const settings = { pageRows: 2, concurrency: 4, perSecond: 100 };
    const both = await Promise.all(['run-a', 'run-b'].map((key) => refreshAudience({ store: deps.store, submit, settings }, audience, 'changes', key)));
    expect(both.map((o) => o.entered).sort()).toEqual([0, 3]);
    expect(sent.sort()).toEqual([1, 2, 3].map((i) => `pair-${run}-${i}`));
  });

  it('names what is wrong: an unknown audience, a file that does not validate, a run for an audience no longer defined', async () => {
    const unknown = await cli('show', 'nope');
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('error: no audience "nope"; known: paying-at-risk, risky-pro') });

    const bad = path.join(journeysDir, 'audiences', 'bad.yaml');
    fs.writeFileSync(bad, 'name: Bad Name\nwhen: { property: amount, op: gt, value: 3 }\n');
    try {
      const list = await cli('list');
      expect(list.code).toBe(1);
      expect(list.stderr).toContain(`${bad} was not loaded: is not a valid audience: name: must be an audience name`);
      expect(list.stderr).toContain('"property" reads an event; an audience reads profiles only');
      expect(list.stdout).toContain('risky-pro  ');
    } finally {
      fs.rmSync(bad);
    }

    const gone = server.client.workflow.execute(AUDIENCE_WORKFLOW, {
      workflowId: `audience-test-${randomUUID()}`,
      taskQueue: server.config.pipeline.taskQueue,
      args: [{ name: 'retired', mode: 'changes', settings: pipelineSettings(server.config) } satisfies AudienceInput],
    });
    const failure = (await gone.catch((err: unknown) => err)) as { cause?: { cause?: { message?: string; nonRetryable?: boolean } } };
    expect(failure.cause?.cause).toMatchObject({ message: expect.stringContaining('no audience "retired"'), nonRetryable: true });
  }, 120_000);
});
