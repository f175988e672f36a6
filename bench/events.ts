import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { EVENTS_SCOPE } from '../src/api/app';
import type { CustomerEvent } from '../src/events/schema';
import { routerSettings } from '../src/settings';
import { md } from '../src/temporal/markdown';
import { CustomerId } from '../src/temporal/search-attributes';
import { eventSignalName } from '../workflows/contract';
import type { BaselineInput } from './baseline-workflow';
import { jsonPoster, type JsonPoster } from './http-client';
import { drive, summarize, type PhaseResult } from './load';
import { apiPath, barePath, type Path } from './paths';
import { watchUntilDone } from './phase';
import { withStack, type Stack } from './stack';

const USAGE = 'usage: npm run bench:events -- [--concurrency N] [--duration 15s] [--warmup 2s] [--customers N] [--type signed_up]';

/**
 * `npm run bench:events`: events/s and latency through the HTTP event API (its production entry
 * point, in its own process), against a bare Temporal client doing signal-with-start of the
 * baseline workflow, on the same fresh dev server (started as `npm run dev` starts it), at the
 * same concurrency for the same time. Both make the same one Temporal call per event; the API
 * adds HTTP, JSON, auth and validation. See measure() for the two modes.
 */
async function main(): Promise<number> {
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
  if (values.help) return console.log(USAGE), 0;
  const flags: Record<string, string | undefined> = {
    WAYMARK_BENCH_CONCURRENCY: values.concurrency,
    WAYMARK_BENCH_DURATION: values.duration,
    WAYMARK_BENCH_WARMUP: values.warmup,
    WAYMARK_BENCH_CUSTOMERS: values.customers,
  };
  const overrides = Object.fromEntries(Object.entries(flags).filter((e): e is [string, string] => e[1] !== undefined));
  return withStack(overrides, (line) => console.log(line), async (stack) => {
    report(await measure(stack, values.type));
    return 0;
  });
}

type Mode = 'intake' | 'end-to-end';
/** A path's load phase, and in end-to-end mode the wait for its work. */
interface PathResult extends PhaseResult {
  /** Customers whose work was done (first message / baseline record) per second, from the first event to the last work done. */
  donePerSecond?: number;
  drainSeconds?: number;
  /** Events each operation carries (a batch request carries several); 1 when undefined. */
  eventsPerOp?: number;
}
interface ModeResult {
  mode: Mode;
  api: PathResult;
  /** The Segment-compatible /v1/batch, as an SDK posts it: WAYMARK_BENCH_SEGMENT_BATCH track calls per request. */
  segment: PathResult;
  bare: PathResult;
}

/**
 * Two modes, each a bare-client phase and an API phase at the same concurrency and duration:
 * - intake: no worker polls either path's task queue, so both measure only what the API
 *   promises (the event is durably in Temporal) and the ratio is the API's own overhead;
 *   events go to WAYMARK_BENCH_CUSTOMERS customers in turn.
 * - end-to-end: each path's worker runs in its own process (workers/main.ts, and
 *   bench/baseline-worker.ts), and every event is a new customer's: the API path's starts the
 *   customer's router and an onboarding run, which sends the welcome email; the bare path's
 *   starts a baseline workflow, which writes one record. After the load, the phase waits until
 *   every accepted customer's work is done, and reports that work per second over the whole
 *   phase, the drain included.
 * Each phase uses its own task queue and customers, so no phase inherits another's backlog.
 */
async function measure(stack: Stack, eventType: string): Promise<ModeResult[]> {
  const { config, client } = stack;
  const key = config.api.apiKeys.find((k) => k.scopes.includes(EVENTS_SCOPE))?.key;
  if (!key) throw new Error(`WAYMARK_API_KEYS has no key with the "${EVENTS_SCOPE}" scope`);
  const { concurrency, durationMs, warmupMs, customers } = config.bench;
  console.log(`Each phase: concurrency ${concurrency}, ${durationMs / 1000}s after ${warmupMs / 1000}s warm-up, event type "${eventType}".`);
  const results: ModeResult[] = [];
  for (const mode of ['intake', 'end-to-end'] as const) {
    const run = randomUUID().slice(0, 8);
    const queue = `bench-${mode}-${run}`;
    const endToEnd = mode === 'end-to-end';
    const workers = endToEnd
      ? { journeys: await stack.startWorker('journeys worker', 'workers/main.ts', queue), bare: await stack.startWorker('baseline worker', 'bench/baseline-worker.ts', `${queue}-bare`) }
      : undefined;
    const api = await stack.startApi(queue);
    const poster = jsonPoster(api.url, { authorization: `Bearer ${key}` }, concurrency);
    const segmentPoster = jsonPoster(api.url, { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` }, concurrency);
    // End to end, every event is a new customer's, so every accepted event has work to wait for.
    const customerOf = (phase: string, n: number) => `${phase}-${run}-${endToEnd ? n : n % customers}`;
    const event = (phase: string, n: number): CustomerEvent => ({ messageId: `${phase}-${run}-${n}`, type: eventType, customerId: customerOf(phase, n), timestamp: new Date().toISOString(), properties: { n } });
    const load = { concurrency, warmupMs, durationMs };
    try {
      console.log(`${mode}: bare client...`);
      // The baseline runs first: a backlog a phase leaves behind should not favour the API.
      const bare = await phase(stack, workers && barePath(stack, workers.bare, Infinity), 'bare signalWithStart', load, async (n, accepted) => {
        const e = event('bare', n);
        // The call submitEvent makes (input with the router's settings, search attribute, summary, signal named by type).
        const input: BaselineInput & { settings: unknown } = { customerId: e.customerId, startToCloseMs: config.activity.startToCloseMs, parkMs: config.bench.baselineParkMs, settings: routerSettings(config) };
        await client.workflow.signalWithStart('baselineWorkflow', {
          workflowId: `baseline/${e.customerId}`,
          taskQueue: `${queue}-bare`,
          args: [input],
          signal: eventSignalName(e.type),
          signalArgs: [e],
          typedSearchAttributes: [{ key: CustomerId, value: e.customerId }],
          staticSummary: `Events of customer ${md(e.customerId)}`,
        });
        accepted.add(e.customerId);
      });
      console.log(`${mode}: HTTP event API...`);
      const waits = workers && eventType === 'signed_up' ? apiPath(stack, workers.journeys, api.url, Infinity) : undefined;
      if (workers && !waits) console.log(`  (only signed_up starts onboarding: the API path's work is not waited for with --type ${eventType})`);
      const viaApi = await phase(stack, waits, 'HTTP event API', load, async (n, accepted) => {
        const e = event('api', n);
        const { status } = await poster.post('/v1/events', e);
        if (status !== 202) throw new Error(`status ${status}`);
        accepted.add(e.customerId);
      });
      waits?.close();
      // As many events in flight as the other paths (concurrency / batch size requests): 32 requests of 20 would queue 640 events
      // and no request would finish within a short window; end to end, the workers would drain for minutes.
      const segmentLoad = { ...load, concurrency: Math.max(1, Math.round(concurrency / config.bench.segmentBatchSize)) };
      const segmentWaits = workers && eventType === 'signed_up' ? apiPath(stack, workers.journeys, api.url, Infinity) : undefined;
      const segment = await segmentPhase(stack, segmentWaits, segmentPoster, segmentLoad, (n) => event('segment', n), eventType);
      results.push({ mode, api: viaApi, segment, bare });
    } finally {
      poster.close();
      segmentPoster.close();
      await api.child.stop();
      if (workers) await Promise.all([workers.journeys.child.stop(), workers.bare.child.stop()]);
    }
  }
  return results;
}

/**
 * The Segment-compatible /v1/batch: each operation posts
 * WAYMARK_BENCH_SEGMENT_BATCH track calls, the events the other paths send one by one, with the
 * write key as Basic user name, as the Segment and RudderStack SDKs do.
 */
async function segmentPhase(stack: Stack, work: Path | undefined, poster: JsonPoster, load: Parameters<typeof drive>[2], event: (n: number) => CustomerEvent, eventType: string): Promise<PathResult> {
  const size = stack.config.bench.segmentBatchSize;
  console.log(`  Segment /v1/batch (${size} calls per request, ${load.concurrency} requests at a time)...`);
  const result = await phase(stack, work, 'Segment /v1/batch', load, async (n, accepted) => {
    const calls = Array.from({ length: size }, (_, i) => {
      const e = event(n * size + i);
      return { type: 'track', messageId: e.messageId, userId: e.customerId, event: eventType, timestamp: e.timestamp, properties: e.properties };
    });
    const { status } = await poster.post('/v1/batch', { batch: calls, sentAt: new Date().toISOString() });
    if (status !== 202) throw new Error(`status ${status}`);
    for (const c of calls) accepted.add(c.userId);
  });
  work?.close();
  return { ...result, eventsPerOp: size };
}

/** Drives `op` for the load window, then (with `work`) waits until every accepted customer's work is done. */
async function phase(stack: Stack, work: Path | undefined, name: string, load: Parameters<typeof drive>[2], op: (n: number, accepted: Set<string>) => Promise<void>): Promise<PathResult> {
  // Only `done` matters here: no visibility query loads the server while it is measured.
  const base = await work?.counts(Number.POSITIVE_INFINITY);
  const accepted = new Set<string>();
  const start = Date.now();
  const result = await drive(name, (n) => op(n, accepted), load);
  if (!work || !base) return result;
  const { config } = stack;
  const { at } = await watchUntilDone(
    {
      label: `  ${name} drain`,
      total: accepted.size,
      everyMs: config.bench.progressEveryMs,
      deadline: Date.now() + config.bench.timeoutMs,
      watchdog: work.worker.child.died,
      progress: async () => {
        const done = (await work.counts(Number.POSITIVE_INFINITY)).done - base.done;
        return { accepted: accepted.size, done, parked: done };
      },
    },
    Promise.resolve(),
  );
  return { ...result, donePerSecond: (accepted.size * 1000) / (at - start), drainSeconds: (at - start - load.warmupMs - load.durationMs) / 1000 };
}

function report(results: ModeResult[]): void {
  const cell = (v: number | undefined, digits: number, width: number) => (v === undefined ? '-' : v.toFixed(digits)).padStart(width);
  console.log('');
  console.log(`${'mode'.padEnd(11)} ${'path'.padEnd(22)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'done/s'.padStart(8)} ${'drain s'.padStart(8)}`);
  for (const { mode, api, segment, bare } of results) {
    for (const r of [api, segment, bare]) {
      const m = summarize(r);
      console.log(`${mode.padEnd(11)} ${r.name.padEnd(22)} ${cell(m.perSecond * (r.eventsPerOp ?? 1), 0, 9)} ${cell(m.p50, 1, 8)} ${cell(m.p99, 1, 8)} ${String(m.errors).padStart(7)} ${cell(r.donePerSecond, 0, 8)} ${cell(r.drainSeconds, 1, 8)}`);
    }
  }
  console.log('');
  for (const { mode, api, segment, bare } of results) {
    const a = summarize(api);
    const b = summarize(bare);
    const done = api.donePerSecond && bare.donePerSecond ? `, work done ${(api.donePerSecond / bare.donePerSecond).toFixed(2)}x` : '';
    console.log(`${mode.padEnd(11)} API / bare: accepted ${(a.perSecond / b.perSecond).toFixed(2)}x${done}, p50 latency ${(a.p50 / b.p50).toFixed(2)}x, p99 latency ${(a.p99 / b.p99).toFixed(2)}x`);
    const s = summarize(segment);
    const segmentDone = segment.donePerSecond && bare.donePerSecond ? `, work done ${(segment.donePerSecond / bare.donePerSecond).toFixed(2)}x` : '';
    console.log(`${mode.padEnd(11)} Segment /v1/batch / bare: accepted ${((s.perSecond * (segment.eventsPerOp ?? 1)) / b.perSecond).toFixed(2)}x${segmentDone}`);
  }
  console.log(`(machine: ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end)`);
  console.log('(done/s: customers whose work was done, per second from the first event until the last was done; drain s: the wait after the load)');
  console.log(`(Segment /v1/batch: events/s counts the ${results[0]?.segment.eventsPerOp ?? '-'} calls of each request; its p50/p99 are per request)`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
