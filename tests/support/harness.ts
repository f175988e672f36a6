import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../src/config';
import { startTimeSkippingServer } from '../../src/temporal/time-skipping';
import { createDeps, prepareStore, type Deps } from '../../src/runtime';
import { Store } from '../../src/store/store';
import { createJourneyWorker } from '../../workers/journey-worker';
import type { CustomerEvent } from '../../src/events/schema';
import { journeyRunSettings } from '../../src/settings';
import type { JourneyRunInput } from '../../workflows/contract';
import type { PublishedJourney } from '../../src/journey/schema';
import { publishContentFor } from './content';
import { temporalDataConverter } from '../../src/temporal/data-converter';
// Every worker, test server and connection the file creates is released at its end if it leaks.
import './track-temporal';

// One Temporal runtime per jest worker process, logging only errors (Runtime is a process-wide singleton).
const runtimeKey = Symbol.for('waymark.temporalRuntime');
if (!(globalThis as Record<symbol, unknown>)[runtimeKey]) {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  } catch {
    // already installed by an earlier test file in this process
  }
  (globalThis as Record<symbol, unknown>)[runtimeKey] = true;
}

/** The test run's embedded PostgreSQL, with a database of this config's own (created on first use). */
function testStore(): Record<string, string> {
  const dir = process.env.WAYMARK_EMBEDDED_POSTGRES_DIR;
  const port = process.env.WAYMARK_EMBEDDED_POSTGRES_PORT;
  if (!dir || !port) return {};
  return { WAYMARK_EMBEDDED_POSTGRES_DIR: dir, WAYMARK_EMBEDDED_POSTGRES_PORT: port, WAYMARK_EMBEDDED_POSTGRES_DATABASE: `t_${randomBytes(8).toString('hex')}` };
}

/** The variables that give a child process (a worker, the CLI) the same store as `config`. */
export function storeEnv(config: Config): Record<string, string> {
  const { url, embedded } = config.store;
  return url ? { WAYMARK_DATABASE_URL: url } : { WAYMARK_EMBEDDED_POSTGRES_DIR: embedded.dir, WAYMARK_EMBEDDED_POSTGRES_PORT: String(embedded.port), WAYMARK_EMBEDDED_POSTGRES_DATABASE: embedded.database };
}

/** A config for one test: its own data directory, database and task queue, the shipped journeys published, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'data-'));
  return loadConfig(
    {},
    {
      WAYMARK_ENV: 'test',
      WAYMARK_LOG_LEVEL: 'silent',
      WAYMARK_DATA_DIR: dataDir,
      WAYMARK_JOURNEY_TASK_QUEUE: `test-${randomUUID()}`,
      WAYMARK_ACTIVITY_RETRY_INITIAL: '1s',
      WAYMARK_PUBLISH_ON_START: 'true',
      // Journeys under test send many messages quickly; the contact policy's tests set caps themselves.
      WAYMARK_FREQUENCY_CAPS: '',
      // Provider failures are what many tests stage, one after another in one process: a breaker shared across them would open on
      // the last test's failures. The breaker's own tests turn it on (tests/channels/circuit.test.ts).
      WAYMARK_CIRCUIT_FAILURES: '0',
      ...testStore(),
      ...overrides,
    },
  );
}

/** A time-skipping test server with Waymark's search attributes registered. */
export const timeSkippingEnv = startTimeSkippingServer;

/** One time-skipping server for the enclosing describe block: `server.env` inside its tests. */
export function useTimeSkippingEnv(): { env: TestWorkflowEnvironment } {
  const holder = {} as { env: TestWorkflowEnvironment };
  beforeAll(async () => {
    holder.env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await holder.env?.teardown();
  });
  return holder;
}

/** Address of the dev server that tests/support/global-setup.ts started for this run. */
export function devServerAddress(): string {
  const address = process.env.WAYMARK_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('no dev server: tests must run through jest with tests/support/global-setup.ts');
  return address;
}

/** A worker on the config's task queue, after its store is ready (journeys published). */
export async function startWorker(connection: NativeConnection, config: Config, deps: Deps = createDeps(config)): Promise<Worker> {
  await prepareStore(deps);
  return createJourneyWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    deps,
    workflowBundle: { codePath: process.env.WAYMARK_TEST_BUNDLE! },
    dataConverter: temporalDataConverter(config, deps.store),
  });
}

let counter = 0;
/** A customer event at `atMs` (use the test server's clock under time skipping). */
export function makeEvent(type: string, customerId: string, atMs: number, extra: Partial<CustomerEvent> = {}): CustomerEvent {
  return {
    messageId: `msg-${++counter}-${randomUUID()}`,
    type,
    customerId,
    timestamp: new Date(atMs).toISOString(),
    properties: {},
    ...extra,
  };
}

/** Input for starting a journey run directly (without the router), as the router would. */
export function runInput(published: PublishedJourney, config: Config, entry: CustomerEvent): JourneyRunInput {
  return {
    v: 2,
    journeyId: published.definition.id,
    version: published.version,
    customerId: entry.customerId,
    entry,
    settings: journeyRunSettings(config),
  };
}

/** Deps on the config's own database with exactly `journeys` published (instead of the shipped ones), and content for their send steps. */
export async function depsWith(config: Config, journeys: PublishedJourney[]): Promise<Deps> {
  const deps = createDeps({ ...config, store: { ...config.store, publishOnStart: false } });
  for (const journey of journeys) await deps.journeys.publish(journey, 'test', 'test');
  await publishContentFor(deps.templates, journeys.map((j) => j.definition));
  return deps;
}

/** A journey published in the deps' store (after startWorker published the shipped ones). */
export async function publishedJourney(deps: Deps, id: string): Promise<PublishedJourney> {
  const journey = (await deps.catalog.current()).get(id);
  if (!journey) throw new Error(`journey ${id} is not published in this test's store`);
  return journey;
}

/** A store no server answers for (a port nothing listens on): every call fails for real with ECONNREFUSED. */
export function unreachableStore(config: Config, port: number): Store {
  return new Store({ ...config, store: { ...config.store, url: `postgres://waymark@127.0.0.1:${port}/unreachable`, migrateOnStart: 'never' } });
}
