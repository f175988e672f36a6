import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../src/config';
import { startTimeSkippingServer } from '../../src/temporal/time-skipping';
import { createDeps } from '../../src/runtime';
import { createJourneyWorker } from '../../workers/journey-worker';
import type { CustomerEvent } from '../../src/events/schema';
import { journeyRunSettings } from '../../src/settings';
import type { JourneyRunInput } from '../../workflows/contract';
import type { PublishedJourney } from '../../src/journey/schema';

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

/** A config for one test: its own data directory and task queue, quiet logs. */
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

export function startWorker(connection: NativeConnection, config: Config, deps = createDeps(config)): Promise<Worker> {
  return createJourneyWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.journeyTaskQueue,
    deps,
    workflowBundle: { codePath: process.env.WAYMARK_TEST_BUNDLE! },
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
