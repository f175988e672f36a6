import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../src/config';
import { createLogger } from '../src/logger';
import { createDeps } from '../src/runtime';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { CustomerId } from '../src/temporal/search-attributes';
import { startEphemeralDevServer } from '../tests/support/ephemeral-dev-server';
import { routerSettings } from '../src/settings';
import { EVENTS_SCOPE } from '../src/api/app';
import { createJourneyWorker } from '../workers/journey-worker';
import type { CustomerEvent } from '../src/events/schema';
import { drive, summarize, type PhaseResult } from './load';
import { startApiProcess } from './api-process';
import { noopSignal, type noopWorkflow } from './noop-workflow';
import { jsonPoster } from './http-client';

const USAGE = 'usage: npm run bench:events -- [--concurrency N] [--duration 15s] [--warmup 2s] [--customers N] [--type signed_up]';

/**
 * `npm run bench:events`: events/s and latency through the HTTP event API (its production entry
 * point, in its own process), against a bare Temporal client doing signal-with-start of a no-op
 * workflow, on the same fresh dev server, at the same concurrency for the same time. Both make
 * the same one Temporal call per event; the API adds HTTP, JSON, auth and validation. See
 * measure() for the two modes.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      customers: { type: 'string' },
      // signed_up is onboarding's entry: the first event of each customer starts a journey run.
      type: { type: 'string', default: 'signed_up' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-'));
  const flags: Record<string, string | undefined> = {
    WAYMARK_BENCH_CONCURRENCY: values.concurrency,
    WAYMARK_BENCH_DURATION: values.duration,
    WAYMARK_BENCH_WARMUP: values.warmup,
    WAYMARK_BENCH_CUSTOMERS: values.customers,
  };
  const config = loadConfig(process.env, {
    WAYMARK_LOG_LEVEL: 'error',
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_API_PORT: '0',
    WAYMARK_API_HOST: '127.0.0.1',
    WAYMARK_JOURNEY_TASK_QUEUE: `bench-${randomUUID()}`,
    ...Object.fromEntries(Object.entries(flags).filter((e): e is [string, string] => e[1] !== undefined)),
  });
  const logger = createLogger(config, 'bench');
  installTemporalRuntime(logger);

  console.log(`Starting a Temporal dev server and workers (data in ${dataDir})...`);
  const env = await startEphemeralDevServer(true);
  try {
    Object.assign(config.temporal, { address: env.address, namespace: env.namespace ?? config.temporal.namespace });
    report(await measure(env, config, values.type));
  } finally {
    await env.teardown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

type Mode = 'intake' | 'end-to-end';
interface ModeResult {
  mode: Mode;
  api: PhaseResult;
  bare: PhaseResult;
}

/**
 * Two modes, each an API phase and a bare-client phase at the same concurrency and duration:
 * - intake: no worker polls either path's task queue, so both measure only what the API
 *   promises (the event is durably in Temporal) and the ratio is the API's own overhead;
 * - end-to-end: each path's worker runs, so every API event also runs the customer's router
 *   (and, for a new customer, an onboarding run) on this same machine, while the bare path's
 *   no-op workflow does nothing.
 * Each phase uses its own task queue and customers, so no phase inherits another's backlog.
 */
async function measure(env: TestWorkflowEnvironment, config: Config, eventType: string): Promise<ModeResult[]> {
  const { namespace, journeyTaskQueue } = config.temporal;
  const key = config.api.apiKeys.find((k) => k.scopes.includes(EVENTS_SCOPE))?.key;
  if (!key) throw new Error(`WAYMARK_API_KEYS has no key with the "${EVENTS_SCOPE}" scope`);
  const bareConnection = await Connection.connect({ address: env.address });
  const bare = new Client({ connection: bareConnection, namespace });
  const { concurrency, durationMs, warmupMs, customers } = config.bench;
  console.log(`Each phase: concurrency ${concurrency}, ${durationMs / 1000}s after ${warmupMs / 1000}s warm-up, ${customers} customers, event type "${eventType}".`);
  try {
    const results: ModeResult[] = [];
    for (const mode of ['intake', 'end-to-end'] as const) {
      const journeysQueue = `${journeyTaskQueue}-${mode}`;
      const noopQueue = `${journeyTaskQueue}-${mode}-noop`;
      const workers =
        mode === 'intake'
          ? []
          : [
              await createJourneyWorker({ connection: env.nativeConnection, namespace, taskQueue: journeysQueue, deps: createDeps(config) }),
              await Worker.create({ connection: env.nativeConnection, namespace, taskQueue: noopQueue, workflowsPath: require.resolve('./noop-workflow') }),
            ];
      const running = workers.map((w) => w.run());
      const http = await startApiProcess({
        ...process.env,
        WAYMARK_TEMPORAL_ADDRESS: env.address,
        WAYMARK_TEMPORAL_NAMESPACE: namespace,
        WAYMARK_JOURNEY_TASK_QUEUE: journeysQueue,
        WAYMARK_DATA_DIR: config.dataDir,
        WAYMARK_API_HOST: config.api.host,
        WAYMARK_API_PORT: '0',
        WAYMARK_LOG_LEVEL: 'info', // it logs its URL at info; accepted events log at debug only
      });
      const poster = jsonPoster(http.url, { authorization: `Bearer ${key}` }, concurrency);
      try {
        const load = { concurrency, warmupMs, durationMs };
        const events = (phase: string) => {
          const run = randomUUID().slice(0, 8);
          return (n: number): CustomerEvent => ({
            messageId: `${run}-${n}`,
            type: eventType,
            customerId: `bench-${phase}-${run}-${n % customers}`,
            timestamp: new Date().toISOString(),
            properties: { n },
          });
        };
        console.log(`${mode}: bare client...`);
        // The baseline runs first: a backlog a phase leaves behind should not favour the API.
        const bareEvent = events('bare');
        const bareResult = await drive(
          'bare signalWithStart',
          async (n) => {
            const event = bareEvent(n);
            // The same call submitEvent makes (input, search attribute, signal), to a no-op workflow.
            await bare.workflow.signalWithStart<typeof noopWorkflow, [unknown]>('noopWorkflow', {
              workflowId: `noop/${event.customerId}`,
              taskQueue: noopQueue,
              args: [{ customerId: event.customerId, settings: routerSettings(config) }],
              signal: noopSignal,
              signalArgs: [event],
              typedSearchAttributes: [{ key: CustomerId, value: event.customerId }],
              staticSummary: `Event router of customer ${event.customerId}`,
            });
          },
          load,
        );
        console.log(`${mode}: HTTP event API...`);
        const apiEvent = events('api');
        const apiResult = await drive(
          'HTTP event API',
          async (n) => {
            const status = await poster.post('/v1/events', apiEvent(n));
            if (status !== 202) throw new Error(`status ${status}`);
          },
          load,
        );
        results.push({ mode, api: apiResult, bare: bareResult });
      } finally {
        poster.close();
        await http.stop();
        workers.forEach((w) => w.shutdown());
        await Promise.all(running);
      }
    }
    return results;
  } finally {
    await bareConnection.close();
  }
}

function report(results: ModeResult[]): void {
  console.log('');
  console.log(`${'mode'.padEnd(11)} ${'path'.padEnd(22)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const { mode, api, bare } of results) {
    for (const r of [api, bare]) {
      const m = summarize(r);
      console.log(`${mode.padEnd(11)} ${r.name.padEnd(22)} ${m.perSecond.toFixed(0).padStart(9)} ${m.p50.toFixed(1).padStart(8)} ${m.p99.toFixed(1).padStart(8)} ${String(m.errors).padStart(7)}`);
    }
  }
  console.log('');
  for (const { mode, api, bare } of results) {
    const a = summarize(api);
    const b = summarize(bare);
    console.log(`${mode.padEnd(11)} API / bare: throughput ${(a.perSecond / b.perSecond).toFixed(2)}x, p50 latency ${(a.p50 / b.p50).toFixed(2)}x, p99 latency ${(a.p99 / b.p99).toFixed(2)}x`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
