import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Config } from '../../src/config';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId, type JourneyState } from '../../workflows/contract';
import { apiOnDevServer, journeysDir } from '../support/api';
import { runWaymark } from '../support/cli';
import { eventually } from '../support/dev-server';
import { makeEvent, storeEnv } from '../support/harness';
import { publishContentFor } from '../support/content';

/**
 * A journey's life while a worker and an event API keep running (never restarted): published,
 * published again, paused, resumed, rolled back and archived with the real CLI in a child
 * process, on the shared dev server and this test's own database. What customers get is read
 * from their runs (version, status, reason), their routers' decisions and the outbox.
 */

// A journey id of this file's own: visibility queries (counts, the archive sweep) span the whole dev server.
const ID = `lc-${randomUUID().slice(0, 8)}`;
const ENTRY = 'lifecycle_entered';

/** The journey, differing between versions only in the template its first step sends. */
const journey = (template: string) => ({
  id: ID,
  name: 'Lifecycle test',
  entry: { event: ENTRY },
  start: 'hello',
  steps: {
    hello: { kind: 'send', channel: 'email', template, next: 'linger' },
    linger: { kind: 'wait_for_event', event: 'lifecycle_done', timeout: '30d', onEvent: 'done', onTimeout: 'done' },
    done: { kind: 'exit' },
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

describe('journey lifecycle at runtime (dev server, real CLI, worker and API never restarted)', () => {
  let api: Awaited<ReturnType<typeof apiOnDevServer>>;
  let config: Config;
  /** The version ids the CLI reported, v1 then v2. */
  const versions: string[] = [];

  beforeAll(async () => {
    // Nothing published at start: only what the CLI publishes is in this test's store.
    api = await apiOnDevServer({ WAYMARK_PUBLISH_ON_START: 'false', WAYMARK_JOURNEYS_DIR: '' });
    config = api.config;
    // Both versions' content, published as a designer would before customers reach the step.
    await publishContentFor(api.deps.templates, [journey('lc-hello-v1'), journey('lc-hello-v2')]);
  });
  afterAll(() => api?.close());

  /** `bin/waymark journeys ...` as a real process, on this test's store and dev server. */
  const cli = async (...args: string[]) => {
    const result = await runWaymark(['journeys', ...args], {
      WAYMARK_TEMPORAL_ADDRESS: config.temporal.address,
      WAYMARK_JOURNEY_TASK_QUEUE: config.temporal.journeyTaskQueue,
      WAYMARK_DATA_DIR: config.dataDir,
      ...storeEnv(config),
      WAYMARK_JOURNEYS_DIR: '',
      WAYMARK_LOG_LEVEL: 'silent',
      WAYMARK_ARCHIVE_SWEEP_MARGIN: '1s',
    });
    return { ...result, output: `${result.stdout}${result.stderr}` };
  };
  /**
   * The worker's catalog has read the store since the CLI's change (it reads it again at most every
   * WAYMARK_CATALOG_REFRESH, when asked): the next entry is routed by it. (The event API's own
   * catalog only names known types, and unknown ones are accepted too.)
   */
  const settle = () =>
    eventually(async () => ((await api.deps.catalog.current()).mark === (await api.deps.journeys.changeMark()) ? true : undefined), "the worker's catalog to read the change");

  const customer = (what: string) => `lc-${what}-${randomUUID().slice(0, 8)}`;
  const enter = async (customerId: string) => {
    const res = await api.post('/v1/events', makeEvent(ENTRY, customerId, Date.now()));
    expect(res.status).toBe(202);
  };
  /** The customer's run once it waits on its second step (its first message sent). */
  const lingering = (customerId: string) =>
    eventually(async () => {
      const state = await api.client.workflow.getHandle(journeyWorkflowId(ID, customerId)).query(journeyStateQuery).catch(() => undefined);
      return state?.step === 'linger' ? state : undefined;
    }, `the run of ${customerId} to wait on its second step`);
  const templatesSentTo = async (customerId: string) => (await api.deps.outbox.list()).filter((m) => m.customerId === customerId).map((m) => m.template);
  /** The router's decision on the customer's entry event, once made. */
  const entryDecision = (customerId: string) =>
    eventually(async () => {
      const router = await api.client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery).catch(() => undefined);
      return router?.decisions.find((d) => d.type === ENTRY && d.journeyId === ID)?.outcome;
    }, `the router's decision on ${customerId}'s entry`);
  const hasRun = (customerId: string) =>
    api.client.workflow
      .getHandle(journeyWorkflowId(ID, customerId))
      .describe()
      .then(
        () => true,
        (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)),
      );

  const runs: Record<'a' | 'b' | 'd' | 'e', { customerId: string; state?: JourneyState }> = {
    a: { customerId: customer('a') },
    b: { customerId: customer('b') },
    d: { customerId: customer('d') },
    e: { customerId: customer('e') },
  };

  // The designer's file: v2 is the same file edited (publishing another file with this id would be refused as a copy).
  const dir = journeysDir([journey('lc-hello-v1')]);

  it('publish: stores v1 as a new journey, and customers enter it', async () => {
    // The event API (never restarted) learns the event types of a new journey from the store: its
    // wait step's type, sent for a customer with no run (the entry type would enrol the probe).
    const probe = customer('probe');
    const typeKnown = async () => (await api.post('/v1/events', makeEvent('lifecycle_done', probe, Date.now()))).body.unknownType === false;
    expect(await typeKnown()).toBe(false);
    const published = await cli('publish', dir, '--actor', 'alice');
    expect(published.code).toBe(0);
    const [, v1] = new RegExp(`^new journey +${ID}@([0-9a-f]{12})`, 'm').exec(published.stdout) ?? [];
    expect(v1).toBeDefined();
    versions.push(v1!);
    await settle();
    await eventually(async () => ((await typeKnown()) ? true : undefined), 'the event API to know the journey\'s event types without a restart');
    await enter(runs.a.customerId);
    runs.a.state = await lingering(runs.a.customerId);
    expect(runs.a.state.version).toBe(v1);
    expect(await templatesSentTo(runs.a.customerId)).toEqual(['lc-hello-v1']);
  });

  it('publish again: new customers get v2, earlier runs keep v1; the same content again changes nothing', async () => {
    fs.writeFileSync(path.join(dir, `${ID}.json`), JSON.stringify(journey('lc-hello-v2')));
    const published = await cli('publish', dir, '--actor', 'bob');
    expect(published.code).toBe(0);
    const [, from, v2] = new RegExp(`^new version +${ID} +([0-9a-f]{12}) -> ([0-9a-f]{12})`, 'm').exec(published.stdout) ?? [];
    expect(from).toBe(versions[0]);
    versions.push(v2!);
    const again = await cli('publish', dir, '--actor', 'bob');
    expect(again.stdout).toMatch(new RegExp(`^unchanged +${ID}@${v2}`, 'm'));

    await settle();
    await enter(runs.b.customerId);
    runs.b.state = await lingering(runs.b.customerId);
    expect(runs.b.state.version).toBe(v2);
    expect(await templatesSentTo(runs.b.customerId)).toEqual(['lc-hello-v2']);
    const a = await api.client.workflow.getHandle(journeyWorkflowId(ID, runs.a.customerId)).query(journeyStateQuery);
    expect(a).toMatchObject({ version: versions[0], status: 'active' });

    const diff = await cli('diff', `${ID}@${versions[0]!.slice(0, 6)}`, `${ID}@${v2}`);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('~ steps.hello.template: lc-hello-v1 -> lc-hello-v2');
  });

  it('pause: an entry 5 s after the command starts no run; resume: customers enter again', async () => {
    const commandAt = Date.now();
    expect((await cli('pause', ID, '--actor', 'carol')).code).toBe(0);
    // The promise under test, not a settling time: 5 s after the command (a machine however
    // loaded only waits longer), the worker's catalog has read the pause (refresh: 1 s).
    await sleep(commandAt + 5_000 - Date.now());
    const turnedAway = customer('c');
    await enter(turnedAway);
    expect(await entryDecision(turnedAway)).toMatch(/not entered: the journey is paused/);
    expect(await hasRun(turnedAway)).toBe(false);

    expect((await cli('resume', ID, '--actor', 'dan')).code).toBe(0);
    await settle();
    await enter(runs.d.customerId);
    runs.d.state = await lingering(runs.d.customerId);
    expect(runs.d.state.version).toBe(versions[1]);
  });

  it('rollback: new entries take the version before; list counts the running customers per version', async () => {
    const rolledBack = await cli('rollback', ID, '--actor', 'erin');
    expect(rolledBack.code).toBe(0);
    expect(rolledBack.stdout).toContain(`current version ${versions[1]} -> ${versions[0]}`);
    await settle();
    await enter(runs.e.customerId);
    runs.e.state = await lingering(runs.e.customerId);
    expect(runs.e.state.version).toBe(versions[0]);

    // Visibility is eventually consistent: wait until it counts every run with its version.
    const running = (extra = '') => api.client.workflow.count(`JourneyId = '${ID}' AND ExecutionStatus = 'Running'${extra}`).then((c) => c.count);
    await eventually(async () => ((await running()) === 4 && (await running(` AND JourneyVersion = '${versions[0]}'`)) === 2 ? true : undefined), 'visibility to count 4 runs');
    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${ID} +${versions[0]} +active +2 +4 \\(${versions[0]}: 2, ${versions[1]}: 2\\)$`, 'm'));
  });

  it('archive: every running customer exits with the reason recorded, and no one enters any more', async () => {
    const archived = await cli('archive', ID, '--actor', 'frank');
    expect(archived.output).toContain('4 run(s) told to exit in all');
    expect(archived.code).toBe(0);
    for (const { customerId } of Object.values(runs)) {
      const final = (await api.client.workflow.getHandle(journeyWorkflowId(ID, customerId)).result()) as JourneyState;
      expect({ customerId, status: final.status, reason: final.reason }).toEqual({ customerId, status: 'exited', reason: expect.stringMatching(/^journey archived by frank at \d{4}-/) });
    }
    await settle();
    const late = customer('f');
    await enter(late);
    expect(await entryDecision(late)).toMatch(/not entered: the journey is archived/);
    expect(await hasRun(late)).toBe(false);
  });

  it('history: every change in order, with its actor', async () => {
    const history = await cli('history', ID);
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n').map((l) => l.replace(/^\S+Z +/, '').replace(/ +/g, ' '));
    const [v1, v2] = versions;
    expect(lines).toEqual([
      `publish ${v1} (first version) by alice`,
      `publish ${v1} -> ${v2} by bob`,
      `pause at version ${v2} by carol`,
      `resume at version ${v2} by dan`,
      `rollback ${v2} -> ${v1} by erin`,
      `archive at version ${v1} by frank`,
    ]);
  });
});
