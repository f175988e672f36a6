import type { Cost } from './cost';
import type { TreeStats } from './procs';
import type { PhaseResult } from './scale-phase';

/** Everything bench:scale measured for one path; a field stays undefined when the run stopped before it. */
export interface PathReport {
  enrol?: PhaseResult;
  paced?: PhaseResult;
  memBefore?: TreeStats;
  memAfterEnrol?: TreeStats;
  memEnd?: TreeStats;
  /** Workflows in the worker's sticky cache (SDK gauge temporal_sticky_cache_size). */
  cacheAfterEnrol?: number;
  cacheEnd?: number;
  /** Workflows each customer keeps running: 1 for the baseline, router + journey run for Waymark. */
  workflowsPerCustomer: number;
  idleCpuBefore?: number;
  idleCpuAfter?: number;
  /** CPU milliseconds per customer over the enrol phase, by process (CPU_PARTS), the machine's work at full speed. */
  enrolCpuMs?: Partial<Record<CpuPart, number>>;
  cost?: Cost;
}

/** The processes whose CPU an enrol phase is charged: the path's own worker and API, and what both paths share. */
export const CPU_PARTS = ['worker', 'event API', 'Temporal server', "Temporal's PostgreSQL", 'store (PostgreSQL)'] as const;
export type CpuPart = (typeof CPU_PARTS)[number];

export interface ScaleReport {
  customers: number;
  /** The baseline's enrol phase, when it differs from `customers` (--baseline-customers). */
  baselineCustomers: number;
  /** What Temporal ran as (Stack.serverShape). */
  serverShape: string;
  /** Cores and 1-minute load average at the start and the end: the figures mean little on a busy machine. */
  machine: string;
  cores: number;
  pacedRate: number;
  maxCachedWorkflows: number;
  idleWindowS: number;
  baseline: PathReport;
  waymark: PathReport;
  server: ProcessReport;
  /** The store's embedded PostgreSQL (the postmaster and its backends), shared by both paths. */
  store: ProcessReport;
}

interface ProcessReport {
  before?: TreeStats;
  end?: TreeStats;
  idleCpuBefore?: number;
  idleCpuAfter?: number;
}

const MB = 1024 * 1024;
type Cell = number | undefined;
const num = (v: Cell, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/**
 * Memory per cached workflow: the worker's growth from before enrolling to after, over the
 * workflows its cache then held (the SDK's gauge; without it, the smaller of the workflows
 * started and the configured cache size: marked "est.").
 */
export function perCachedWorkflowMb(p: PathReport, customers: number, maxCached: number): { mb?: number; estimated: boolean } {
  if (!p.memBefore || !p.memAfterEnrol) return { estimated: false };
  const estimated = p.cacheAfterEnrol === undefined;
  const cached = p.cacheAfterEnrol ?? Math.min(customers * p.workflowsPerCustomer, maxCached);
  return { mb: cached > 0 ? (p.memAfterEnrol.rssBytes - p.memBefore.rssBytes) / MB / cached : undefined, estimated };
}

export function printReport(r: ScaleReport): void {
  const { baseline: b, waymark: w } = r;
  const rows: Array<[string, Cell, Cell, number?]> = [];
  const row = (label: string, get: (p: PathReport) => Cell, digits = 0) => rows.push([label, get(b), get(w), digits]);
  row('enrol: customers/s', (p) => p.enrol?.perSecond, 1);
  row('enrol: seconds until all done and parked', (p) => p.enrol?.seconds, 1);
  row('enrol: accepted -> first message/record p50 ms', (p) => p.enrol?.latency.p50);
  row('enrol: ... p95 ms', (p) => p.enrol?.latency.p95);
  row('enrol: ... p99 ms', (p) => p.enrol?.latency.p99);
  row(`paced ${r.pacedRate}/s: accepted -> first message/record p50 ms`, (p) => p.paced?.latency.p50);
  row(`paced ${r.pacedRate}/s: ... p95 ms`, (p) => p.paced?.latency.p95);
  row(`paced ${r.pacedRate}/s: ... p99 ms`, (p) => p.paced?.latency.p99);
  row('worker RSS before enrolling MB', (p) => p.memBefore && p.memBefore.rssBytes / MB);
  row('worker RSS after enrolling MB', (p) => p.memAfterEnrol && p.memAfterEnrol.rssBytes / MB);
  row('worker RSS at the end MB', (p) => p.memEnd && p.memEnd.rssBytes / MB);
  row('worker peak (sum of VmHWM) MB', (p) => p.memEnd && p.memEnd.peakBytes / MB);
  row('workflows cached after enrolling', (p) => p.cacheAfterEnrol);
  row('workflows cached at the end', (p) => p.cacheEnd);
  row('MB per cached workflow', (p) => perCachedWorkflowMb(p, p === r.baseline ? r.baselineCustomers : r.customers, r.maxCachedWorkflows).mb, 3);
  row(`worker idle CPU s per ${r.idleWindowS} s, before enrolling`, (p) => p.idleCpuBefore, 2);
  row(`worker idle CPU s per ${r.idleWindowS} s, all parked`, (p) => p.idleCpuAfter, 2);
  for (const part of CPU_PARTS) row(`enrol: CPU ms per customer, ${part}`, (p) => p.enrolCpuMs?.[part], 1);
  const cpuTotal = (p: PathReport) => (p.enrolCpuMs ? Object.values(p.enrolCpuMs).reduce((a, v) => a + v, 0) : undefined);
  row('enrol: CPU ms per customer, all of these', cpuTotal, 1);
  // What the machine could do if these processes had every core and nothing else ran: the ceiling any rate here meets.
  row(`customers/s the ${r.cores} cores could do at that CPU cost`, (p) => (cpuTotal(p) ? (r.cores * 1000) / cpuTotal(p)! : undefined), 1);
  row('workflow runs per customer', (p) => p.cost?.runs, 2);
  row('history bytes per customer', (p) => p.cost?.historyBytes);
  row('history events per customer', (p) => p.cost?.historyEvents, 1);
  row('billable actions per customer', (p) => p.cost?.actions, 2);
  // The dev server: its SQLite file and WAL, and the pages in use; the cluster: its two PostgreSQL databases' size, in both rows.
  row('Temporal database growth per customer (files, enrol)', (p) => p.enrol?.dbFileBytesPerCustomer);
  row('Temporal database bytes used per customer (enrol)', (p) => p.enrol?.dbUsedBytesPerCustomer);
  row('store (PostgreSQL) growth per customer (enrol)', (p) => p.enrol?.storeBytesPerCustomer);

  console.log('');
  const phases = r.baselineCustomers === r.customers ? `${num(r.customers)} customers per enrol phase` : `${num(r.customers)} customers enrolled through Waymark, ${num(r.baselineCustomers)} through the baseline (--baseline-customers)`;
  console.log(`bench:scale, ${phases} (${r.serverShape}, one worker per path)`);
  console.log(`machine: ${r.machine}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`${'figure'.padEnd(width)} ${'baseline'.padStart(12)} ${'waymark'.padStart(12)} ${'waymark/baseline'.padStart(17)}`);
  for (const [label, base, mark, digits] of rows) {
    const ratio = base !== undefined && mark !== undefined && base !== 0 ? `${(mark / base).toFixed(2)}x` : '-';
    console.log(`${label.padEnd(width)} ${num(base, digits).padStart(12)} ${num(mark, digits).padStart(12)} ${ratio.padStart(17)}`);
  }
  console.log('');
  for (const [name, s] of [[`Temporal (${r.serverShape})`, r.server], ['Store (embedded PostgreSQL)', r.store]] as const) {
    console.log(`${name}: RSS ${num(s.before && s.before.rssBytes / MB)} MB before enrolling, ${num(s.end && s.end.rssBytes / MB)} MB at the end, peak ${num(s.end && s.end.peakBytes / MB)} MB; idle CPU ${num(s.idleCpuBefore, 2)} s before, ${num(s.idleCpuAfter, 2)} s all parked (per ${r.idleWindowS} s)`);
  }
  if (b.enrol && w.enrol) console.log(`Target customers/s >= 0.8x baseline (issue 22; an earlier issue asked 0.5x): ${(w.enrol.perSecond / b.enrol.perSecond).toFixed(2)}x`);
  if (w.paced) console.log(`Target p99 < 1 s at ${r.pacedRate} events/s: ${num(w.paced.latency.p99)} ms`);
  for (const [name, p] of [['baseline', b], ['waymark', w]] as const) {
    if (perCachedWorkflowMb(p, p === r.baseline ? r.baselineCustomers : r.customers, r.maxCachedWorkflows).estimated) console.log(`${name}: no cache gauge from the SDK metrics; per cached workflow estimated over min(workflows started, WAYMARK_WORKER_MAX_CACHED_WORKFLOWS)`);
    if (p.cost) console.log(`${name} actions per customer by kind: ${Object.entries(p.cost.byKind).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  for (const [name, p] of [['baseline', b], ['waymark', w]] as const) {
    for (const [phase, result] of [['enrol', p.enrol], ['paced', p.paced]] as const) {
      if (!result) continue;
      console.log(`\nWhere the ${name} worker's time went (${phase} phase, SDK metrics):`);
      result.timeGoes.forEach((line) => console.log(`  ${line}`));
    }
  }
}
