import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { EVENTS_SCOPE } from '../src/api/app';
import { READ_SCOPE } from '../src/api/results-routes';
import type { CustomerEvent } from '../src/events/schema';
import type { Journey } from '../src/journey/schema';
import { JourneyStore } from '../src/store/journeys';
import { journeyStateQuery, journeyWorkflowId } from '../workflows/contract';
import { fateCounts, fillerRuns, fillStore, fillVisibility, type FillResult } from './console-fill';
import { measurePages } from './console-pages';
import { printConsoleReport } from './console-report';
import { jsonPoster } from './http-client';
import { withStack, type Stack } from './stack';

const USAGE = `usage: npm run bench:console -- [--customers N] [--requests M] [--warmup W] [--pause 3s] [--concurrency C] [--journey ID] [--temporal dev|cluster] [--timeout 30m]

Fills one journey version with N customers, in Temporal's visibility (N journeyWorkflow runs with
the search attributes the router's start sets: most waiting at a wait, some converted, exited,
completed or terminated) and in the store (their enrolments, paths and sent messages), sends a
few real customers through the event API and the journeys worker, then times the console's
journey page and customer page over HTTP against the same figures read by SQL on the store
directly, in the same run. Prints p50/p95/max, the ratios page / SQL, where the page's time goes,
and whether the targets hold (journey page p95 < 300 ms, customer page p95 < 500 ms).

  --customers N     filler customers in the journey (default 100000)
  --requests M      timed requests per figure, after the warm-up (default 30)
  --warmup W        untimed rounds first (default 5)
  --pause D         untimed wait before each journey page and visibility figure (default 3s): the
                    page asks visibility ~30 counts at once, and a Temporal cluster's namespace lets
                    10 a second by default (frontend.namespaceRPS.visibility); 0 for back to back
  --concurrency C   filler starts in flight (default WAYMARK_BENCH_CONCURRENCY, 32)
  --journey ID      the published journey to fill (default trial-conversion: a split with a holdout)
  --temporal K      dev: the dev server \`npm run dev\` runs (default); cluster: Temporal on PostgreSQL (npm run cluster)
  --timeout D       the whole run (WAYMARK_BENCH_TIMEOUT, default 30m)

Examples:
  npm run bench:console -- --customers 5000 --requests 20    # a few minutes
  npm run bench:console                                      # 100,000 customers: the issue's figure
  npm run bench:console -- --journey onboarding --customers 20000

Everything runs on a fresh dev server and embedded PostgreSQL in a temporary folder, removed at the
end (also on failure or Ctrl-C). Progress goes to stderr, the report to stdout. See docs/benchmarks.md.`;

/** Real customers sent through the API: the customer page needs a router and a run that answer queries. */
const REAL_CUSTOMERS = 5;

interface Options {
  customers: number;
  requests: number;
  warmup: number;
  pauseMs: number;
  concurrency?: number;
  journey: string;
}

function wholeNumber(option: string, text: string | undefined, fallback: number | undefined, min: number): number | undefined {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.replaceAll('_', '')) || Number(text.replaceAll('_', '')) < min) throw new UsageError(`--${option}: "${text}" is not a whole number >= ${min}`);
  return Number(text.replaceAll('_', ''));
}

/** "3s", "500ms", "0": the option's milliseconds. */
function durationMs(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${option}: "${text}" is not a duration such as 3s, 500ms or 0`);
  return Number(match[1]) * (match[2] === 'ms' ? 1 : 1000);
}

class UsageError extends Error {}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        customers: { type: 'string' },
        requests: { type: 'string' },
        warmup: { type: 'string' },
        pause: { type: 'string' },
        concurrency: { type: 'string' },
        journey: { type: 'string', default: 'trial-conversion' },
        temporal: { type: 'string', default: 'dev' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return console.error(`${(err as Error).message}\n\n${USAGE}`), 2;
  }
  if (values.help) return console.log(USAGE), 0;
  let options: Options;
  try {
    if (values.temporal !== 'dev' && values.temporal !== 'cluster') throw new UsageError(`--temporal: "${values.temporal}" is neither "dev" nor "cluster"`);
    options = {
      customers: wholeNumber('customers', values.customers, 100_000, 1)!,
      requests: wholeNumber('requests', values.requests, 30, 1)!,
      warmup: wholeNumber('warmup', values.warmup, 5, 0)!,
      pauseMs: durationMs('pause', values.pause ?? '3s'),
      concurrency: wholeNumber('concurrency', values.concurrency, undefined, 1),
      journey: values.journey,
    };
  } catch (err) {
    if (err instanceof UsageError) return console.error(`${err.message}\n\n${USAGE}`), 2;
    throw err;
  }
  const overrides: Record<string, string> = values.timeout === undefined ? {} : { WAYMARK_BENCH_TIMEOUT: values.timeout };
  return withStack(overrides, (line) => console.error(line), (stack) => consoleBench(stack, options), values.temporal);
}

async function consoleBench(stack: Stack, options: Options): Promise<number> {
  const { config, store } = stack;
  const deadline = Date.now() + config.bench.timeoutMs;
  const say = (line: string) => console.error(line);
  const journeys = new JourneyStore(store);
  const states = await journeys.states();
  const state = states.find((s) => s.journeyId === options.journey);
  if (!state) return console.error(`--journey: no journey "${options.journey}" is published; published: ${states.map((s) => s.journeyId).join(', ')}`), 2;
  const journey = (await journeys.definition(state.journeyId, state.currentVersion))!;
  const version = state.currentVersion;
  const readKey = config.api.apiKeys.find((k) => k.scopes.includes(READ_SCOPE))?.key;
  const eventsKey = config.api.apiKeys.find((k) => k.scopes.includes(EVENTS_SCOPE))?.key;
  if (!readKey || !eventsKey) return console.error(`WAYMARK_API_KEYS needs a key with the "${READ_SCOPE}" scope and one with "${EVENTS_SCOPE}" (e.g. "bench-key:events+read")`), 2;
  const run = randomUUID().slice(0, 8);
  const machineAtStart = os.loadavg()[0]!;

  say(`Filling ${journey.id}@${version} with ${options.customers.toLocaleString('en-US')} customers...`);
  const closer = await stack.startWorker('closer worker', 'bench/console-closer-worker.ts', `bench-console-closing-${run}`);
  const runs = fillerRuns(journey, `fill-${run}-`, options.customers);
  const fill: FillResult = {
    fates: fateCounts(runs),
    store: await fillStore(stack, journey.id, version, runs),
    visibility: await fillVisibility(stack, journey, version, runs, { parked: `bench-console-parked-${run}`, closing: closer.taskQueue }, options.concurrency ?? config.bench.concurrency, deadline),
  };
  await closer.child.stop(); // its work is done: it must not share the machine with what is measured
  say(`Fill done: the store in ${fill.store.seconds.toFixed(1)} s, visibility in ${fill.visibility.seconds.toFixed(1)} s (${fill.visibility.startsPerSecond.toFixed(0)} starts/s).`);

  say('Starting the journeys worker and the event API; sending real customers through it...');
  const worker = await stack.startWorker('journeys worker', 'workers/main.ts', `bench-console-journeys-${run}`);
  const api = await stack.startApi(worker.taskQueue);
  // What the API logs as errors (a page that fails answers only "INTERNAL_ERROR"): for the report.
  const apiErrors = new Map<string, number>();
  api.child.onLine((line) => {
    const entry = parseLog(line);
    if (entry && Number(entry.level) >= 50) {
      const what = `${String(entry.msg)}${entry.route ? ` (${String(entry.route)})` : ''}: ${String((entry.err as { message?: string } | undefined)?.message ?? '').slice(0, 300)}`;
      apiErrors.set(what, (apiErrors.get(what) ?? 0) + 1);
    }
  });
  const real = Array.from({ length: REAL_CUSTOMERS }, (_, i) => `real-${run}-${i}`);
  await enrolReal(stack, api.url, eventsKey, journey, real, deadline);

  // The tables as autovacuum leaves them in production once the rows have settled: planner statistics and the visibility map.
  for (const table of ['journey_enrolments', 'journey_path', 'send_ledger']) await store.query(`VACUUM (ANALYZE) ${table}`);
  const dbSize = stack.server.kind === 'dev' ? await stack.dbSize() : undefined;
  const { series, comparison } = await measurePages(stack, { apiUrl: api.url, readKey, journey, version, customers: real, warmup: options.warmup, rounds: options.requests, pauseMs: options.pauseMs }, say);
  printConsoleReport({
    journey: `${journey.id}@${version}`,
    customers: options.customers,
    realCustomers: REAL_CUSTOMERS,
    requests: options.requests,
    warmup: options.warmup,
    pauseMs: options.pauseMs,
    serverShape: stack.serverShape(),
    machine: `${os.cpus().length} cores, load average ${machineAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`,
    fill,
    temporalDb: dbSize,
    storeBytes: await stack.storeBytes(),
    series,
    comparison,
    apiErrors: [...apiErrors].map(([what, n]) => `${n}x ${what}`),
  });
  return 0;
}

/**
 * Each real customer sends signed_up and the journey's entry event through POST /v1/events; waits
 * until their run in the journey waits (its `state` query says so), so the customer page finds a
 * router and a run that answer.
 */
async function enrolReal(stack: Stack, apiUrl: string, key: string, journey: Journey, customers: string[], deadline: number): Promise<void> {
  const poster = jsonPoster(apiUrl, { authorization: `Bearer ${key}` }, 4);
  const entry = (Array.isArray(journey.entry) ? journey.entry[0]! : journey.entry).event;
  const types = [...new Set(['signed_up', entry])];
  try {
    for (const customerId of customers) {
      for (const type of types) {
        const event: CustomerEvent = { messageId: `${customerId}-${type}`, type, customerId, timestamp: new Date().toISOString(), properties: {} };
        const { status, body } = await poster.post('/v1/events', event);
        if (status !== 202 && status !== 200) throw new Error(`POST /v1/events for ${customerId} answered ${status}: ${body.slice(0, 300)}`);
      }
    }
  } finally {
    poster.close();
  }
  for (const customerId of customers) {
    for (;;) {
      const state = await stack.client.workflow
        .getHandle(journeyWorkflowId(journey.id, customerId))
        .query(journeyStateQuery)
        .catch(() => undefined);
      if (state?.waiting) break;
      if (Date.now() > deadline) throw new Error(`WAYMARK_BENCH_TIMEOUT (--timeout) reached before ${customerId}'s ${journey.id} run waited`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function parseLog(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
