import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { costPerCustomer } from './cost';
import { gauge, scrape } from './metrics';
import { apiPath, barePath, type Path } from './paths';
import { BenchTimeout, customerIds } from './phase';
import { treeStats } from './procs';
import { printReport, type CpuPart, type PathReport, type ScaleReport } from './report';
import { runPhase } from './scale-phase';
import { withStack, type Stack } from './stack';

const USAGE = `usage: npm run bench:scale -- [--temporal dev|cluster] [--customers N] [--baseline-customers M] [--rate R] [--paced-duration 30s] [--timeout 30m]

Enrols N new customers through the event API into onboarding and waits until every one has its
welcome email and is parked in its first wait, after a baseline in the same run: the bare
Temporal client starting N workflows that run one activity and park on a timer. Then a latency
phase at a steady R customers/s on both paths. Prints throughput, latencies, worker and server
memory, idle CPU, Temporal history bytes, actions and database bytes per customer.

  --temporal dev|cluster on the dev server \`npm run dev\` runs (default), or on a Temporal
                         cluster on PostgreSQL (npm run cluster: the production shape; built
                         from source the first time, WAYMARK_CLUSTER_HISTORY_SHARDS shards)
  --customers N          customers per enrol phase (WAYMARK_BENCH_CUSTOMERS, default 1000)
  --baseline-customers M the baseline's enrol phase only (WAYMARK_BENCH_BASELINE_CUSTOMERS,
                         default: N); for an N too large to run twice, the baseline's rate
                         at a smaller M. Per-customer figures divide by each phase's own count.
  --rate R               customers/s in the latency phase (WAYMARK_BENCH_PACED_RATE, default 20)
  --paced-duration D     length of the latency phase (WAYMARK_BENCH_PACED_DURATION, default 30s)
  --timeout D            the whole run (WAYMARK_BENCH_TIMEOUT, default 30m)

Other settings (WAYMARK_BENCH_*, WAYMARK_WORKER_*): see docs/benchmarks.md.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      'baseline-customers': { type: 'string' },
      rate: { type: 'string' },
      'paced-duration': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean' },
      temporal: { type: 'string', default: 'dev' },
    },
  });
  if (values.help) return console.log(USAGE), 0;
  if (values.temporal !== 'dev' && values.temporal !== 'cluster') return console.error(`--temporal: "${values.temporal}" is neither "dev" nor "cluster"\n\n${USAGE}`), 2;
  const flags: Record<string, string | undefined> = {
    WAYMARK_BENCH_CUSTOMERS: values.customers,
    WAYMARK_BENCH_BASELINE_CUSTOMERS: values['baseline-customers'],
    WAYMARK_BENCH_PACED_RATE: values.rate,
    WAYMARK_BENCH_PACED_DURATION: values['paced-duration'],
    WAYMARK_BENCH_TIMEOUT: values.timeout,
  };
  const overrides = Object.fromEntries(Object.entries(flags).filter((e): e is [string, string] => e[1] !== undefined));
  return withStack(overrides, (line) => console.log(line), scale, values.temporal);
}

async function scale(stack: Stack): Promise<number> {
  const { config } = stack;
  const { customers: n, baselineCustomers, pacedRate, pacedDurationMs, idleWindowMs, costSample } = config.bench;
  const deadline = Date.now() + config.bench.timeoutMs;
  const run = randomUUID().slice(0, 8);
  console.log(`Starting the baseline worker, the journeys worker and the event API (each its own process)...`);
  const baselineWorker = await stack.startWorker('baseline worker', 'bench/baseline-worker.ts', `bench-baseline-${run}`);
  const journeysWorker = await stack.startWorker('journeys worker', 'workers/main.ts', `bench-journeys-${run}`);
  const api = await stack.startApi(journeysWorker.taskQueue);
  const watchdog = Promise.race([baselineWorker.child.died, journeysWorker.child.died, api.child.died]);
  watchdog.catch(() => undefined); // seen where it is raced; a child stopped at the end must not crash the bench
  const bare = barePath(stack, baselineWorker, deadline);
  const waymark = apiPath(stack, journeysWorker, api.url, deadline);
  const enrolled = new Map<Path, number>([
    [bare, baselineCustomers || n],
    [waymark, n],
  ]);
  const report: ScaleReport = {
    customers: n,
    baselineCustomers: baselineCustomers || n,
    serverShape: stack.serverShape(),
    machine: `${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the start`,
    cores: os.cpus().length,
    pacedRate,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    idleWindowS: idleWindowMs / 1000,
    baseline: { workflowsPerCustomer: 1 },
    waymark: { workflowsPerCustomer: 2 },
    server: {},
    store: {},
  };
  const measured: Array<[Path, PathReport]> = [
    [bare, report.baseline],
    [waymark, report.waymark],
  ];
  try {
    console.log(`Idle for ${idleWindowMs / 1000} s before enrolling (CPU and memory)...`);
    const idle = await idleCpu(stack, measured, idleWindowMs);
    measured.forEach(([path, r]) => ((r.idleCpuBefore = idle.get(path)), (r.memBefore = treeStats(path.worker.child.pid))));
    report.server.idleCpuBefore = idle.get('server');
    report.server.before = treeStats(stack.server.pid);
    report.store.idleCpuBefore = idle.get('store');
    report.store.before = treeStats(stack.storePid());

    for (const [path, r] of measured) {
      const prefix = `${path.name}-${run}-`;
      const count = enrolled.get(path)!;
      console.log(`\n${path.name}: enrolling ${count.toLocaleString('en-US')} customers...`);
      const parts: Array<[CpuPart, number]> = [['worker', path.worker.child.pid], ...stack.sharedProcesses()];
      if (path === waymark) parts.push(['event API', api.child.pid]);
      const cpuBefore = parts.map(([, pid]) => treeStats(pid).cpuSeconds);
      r.enrol = await runPhase(stack, path, { label: path.name, prefix, ids: customerIds(prefix, count), deadline, watchdog });
      r.enrolCpuMs = Object.fromEntries(parts.map(([part, pid], i) => [part, ((treeStats(pid).cpuSeconds - cpuBefore[i]!) * 1000) / count]));
      r.memAfterEnrol = treeStats(path.worker.child.pid);
      r.cacheAfterEnrol = gauge(await scrape(path.worker.metricsUrl), 'temporal_sticky_cache_size');
    }
    const pacedCount = Math.round((pacedRate * pacedDurationMs) / 1000);
    for (const [path, r] of measured) {
      const prefix = `${path.name}-paced-${run}-`;
      console.log(`\n${path.name}: ${pacedCount} new customers at ${pacedRate}/s...`);
      r.paced = await runPhase(stack, path, { label: `${path.name} paced`, prefix, ids: customerIds(prefix, pacedCount), rate: pacedRate, deadline, watchdog });
    }

    console.log(`\nAll parked; idle for ${idleWindowMs / 1000} s...`);
    const after = await idleCpu(stack, measured, idleWindowMs);
    for (const [path, r] of measured) {
      r.idleCpuAfter = after.get(path);
      r.memEnd = treeStats(path.worker.child.pid);
      r.cacheEnd = gauge(await scrape(path.worker.metricsUrl), 'temporal_sticky_cache_size');
    }
    report.server.idleCpuAfter = after.get('server');
    report.server.end = treeStats(stack.server.pid);
    report.store.idleCpuAfter = after.get('store');
    report.store.end = treeStats(stack.storePid());

    console.log(`Fetching the histories of up to ${costSample} customers per path...`);
    for (const [path, r] of measured) {
      const count = enrolled.get(path)!;
      const sample = Array.from({ length: Math.min(costSample, count) }, (_, i) => Math.floor((i * count) / Math.min(costSample, count)));
      r.cost = await costPerCustomer(stack.client, sample.map((i) => `${path.name}-${run}-${i}`), path.workflowIds);
    }
    report.machine += `, ${os.loadavg()[0]!.toFixed(1)} at the end`;
    printReport(report);
    return 0;
  } catch (err) {
    if (!(err instanceof BenchTimeout)) throw err;
    console.log(`\n${err.message}`);
    console.log('What was measured until then:');
    printReport(report);
    return 2;
  } finally {
    measured.forEach(([path]) => path.close());
  }
}

/** CPU seconds each worker tree, the Temporal server and the store's PostgreSQL used over `windowMs` with nothing to do. */
async function idleCpu(stack: Stack, paths: Array<[Path, PathReport]>, windowMs: number): Promise<Map<Path | 'server' | 'store', number>> {
  const targets: Array<[Path | 'server' | 'store', number]> = [...paths.map(([p]): [Path, number] => [p, p.worker.child.pid]), ['server', stack.server.pid], ['store', stack.storePid()]];
  const before = targets.map(([, pid]) => treeStats(pid).cpuSeconds);
  await new Promise((r) => setTimeout(r, windowMs));
  return new Map(targets.map(([key, pid], i) => [key, treeStats(pid).cpuSeconds - before[i]!]));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
