import type { JourneyResults } from '../src/results/journey-results';
import type { FillResult } from './console-fill';
import { summary, type Series, type SqlJourneyFigures } from './console-measure';

/** The page's figures (visibility and the store's reads, as the product computes them) beside the SQL baseline's. */
export interface Comparison {
  /** Or why the page's figures could not be computed. */
  figures: JourneyResults | string;
  sql: SqlJourneyFigures;
  /** Visibility counts one journey page asks. */
  visibilityQueries: number;
  /** Each of them timed alone, slowest first. */
  eachCount: Array<{ query: string; ms: number; error?: string }>;
  /** The store's statements behind the pages, with how PostgreSQL runs them (EXPLAIN ANALYZE). */
  plans: Array<[string, string]>;
}

export interface ConsoleReport {
  journey: string;
  customers: number;
  realCustomers: number;
  requests: number;
  warmup: number;
  pauseMs: number;
  serverShape: string;
  machine: string;
  fill: FillResult;
  temporalDb?: { fileBytes: number; usedBytes: number };
  storeBytes: number;
  series: Series[];
  comparison: Comparison;
  /** The event API's error log lines while it served the pages, counted. */
  apiErrors: string[];
}

/** The issue's targets (issue 24): p95 of each page. */
export const TARGETS = { journeyPageMs: 300, customerPageMs: 500 };

const MB = 1024 * 1024;
const num = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

export function printConsoleReport(r: ConsoleReport): void {
  const { fill, comparison: c } = r;
  const out = (line = '') => console.log(line);
  out('');
  out(`bench:console, ${r.journey}: ${num(r.customers)} filler customers and ${r.realCustomers} real ones (${r.serverShape})`);
  out(`machine: ${r.machine}`);
  const f = fill.fates;
  out(`fill: fates active ${num(f.active)}, converted ${num(f.converted)}, exited ${num(f.exited)}, completed ${num(f.completed)}, terminated ${num(f.other)}`);
  out(
    `fill: store ${num(fill.store.enrolments)} enrolments, ${num(fill.store.pathRows)} path rows, ${num(fill.store.ledgerRows)} ledger rows in ${num(fill.store.seconds, 1)} s ` +
      `(${num(fill.store.enrolments / fill.store.seconds)} customers/s); visibility ${num(r.customers)} runs started in ${num(fill.visibility.seconds, 1)} s ` +
      `(${num(fill.visibility.startsPerSecond)} starts/s), the last closes seen ${num(fill.visibility.closeWaitSeconds, 1)} s later`,
  );
  const db = r.temporalDb ? `Temporal's SQLite ${num(r.temporalDb.fileBytes / MB)} MB (file + WAL), ` : '';
  out(`size: ${db}store database ${num(r.storeBytes / MB)} MB`);
  out('');

  // Each page's ratios against its own SQL baseline: the last series of its group.
  const groups: Series[][] = [];
  for (const s of r.series) (s.label.startsWith(' ') ? groups[groups.length - 1]! : groups[groups.length] = []).push(s);
  const width = Math.max(...r.series.map((s) => s.label.length)) + 2;
  const pause = r.pauseMs ? `, ${num(r.pauseMs / 1000, 1)} s untimed before each journey page and visibility figure` : '';
  out(`${r.requests} timed requests per figure after ${r.warmup} warm-up rounds, one at a time${pause} (ms):`);
  out(`${'figure'.padEnd(width)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'p50/SQL'.padStart(9)} ${'p95/SQL'.padStart(9)}`);
  for (const group of groups) {
    const base = summary(group[group.length - 1]!);
    for (const s of group) {
      const m = summary(s);
      const label = s.label.includes('visibility') ? `${s.label} (${c.visibilityQueries})` : s.label;
      const failed = s.failedMs.length ? `  ${s.failedMs.length}/${s.failedMs.length + s.ms.length} FAILED, after ${num(summary({ ...s, ms: s.failedMs }).p50)} ms p50: ${s.firstError}` : '';
      out(`${label.padEnd(width)} ${num(m.p50, 1).padStart(8)} ${num(m.p95, 1).padStart(8)} ${num(m.max, 1).padStart(8)} ${`${num(m.p50 / base.p50, 1)}x`.padStart(9)} ${`${num(m.p95 / base.p95, 1)}x`.padStart(9)}${failed}`);
    }
  }
  if (r.apiErrors.length) out(`The event API logged errors: ${r.apiErrors.join(' | ')}`);
  out('');
  const [journeyPage, customerPage] = groups.map((g) => summary(g[0]!));
  const verdict = (s: Series, p95: number, target: number) =>
    s.failedMs.length ? `MISSED: ${s.failedMs.length} of ${s.failedMs.length + s.ms.length} requests failed` : `${num(p95)} ms against < ${target} ms: ${p95 < target ? 'met' : 'MISSED'}`;
  out(`Target, journey page p95: ${verdict(groups[0]![0]!, journeyPage!.p95, TARGETS.journeyPageMs)}`);
  out(`Target, customer page p95: ${verdict(groups[1]![0]!, customerPage!.p95, TARGETS.customerPageMs)}`);
  const shares = groups[0]!.slice(1, -1).map((s) => `${s.label.trim()} ${num((summary(s).p50 / journeyPage!.p50) * 100)}%`);
  out(`Journey page, each part's p50 as a share of the page's p50 (the parts run concurrently in the page): ${shares.join(', ')}`);
  out(`Customer page: ${groups[1]!.slice(1, -1).map((s) => `${s.label.trim()} ${num((summary(s).p50 / customerPage!.p50) * 100)}%`).join(', ')} of its p50`);
  const alone = c.eachCount.reduce((a, q) => a + q.ms, 0);
  const visibility = summary(groups[0]!.find((s) => s.label.includes('visibility'))!);
  out(`The page's ${c.eachCount.length} visibility counts timed one by one: ${num(alone)} ms in all (the page asks them at once: ${num(visibility.p50)} ms p50), the slowest:`);
  // What every count shares (journey, version, range, not continued-as-new) is left out: the rest says which count it is.
  const shared = / AND ExecutionStatus != 'ContinuedAsNew'( AND )?/;
  for (const q of c.eachCount.slice(0, 5)) out(`  ${num(q.ms, 1).padStart(8)} ms  ${q.query.split(shared)[2] || '(all runs of the range)'}${q.error ? `  FAILED: ${q.error}` : ''}`);
  out('');
  out('The store\'s statements behind the pages, as PostgreSQL runs them now (EXPLAIN ANALYZE, once):');
  for (const [what, plan] of c.plans) out(`  ${what}: ${plan}`);
  out('');

  if (typeof c.figures === 'string') return out(`The page's figures could not be computed once more, to compare them with SQL's: ${c.figures}`);
  const figures = c.figures;
  out('The same figures, as the page computes them (visibility, the store\'s projections) and by SQL on the store:');
  const runs = figures.runs;
  const sqlStatus = (s: string) => c.sql.byStatus[s] ?? 0;
  const sqlEntered = Object.values(c.sql.byStatus).reduce((a, n) => a + Number(n), 0);
  const rows: Array<[string, number, number | undefined]> = [
    ['entered', runs.entered, sqlEntered],
    ['active (SQL: with the terminated, which record no end)', runs.active, sqlStatus('active')],
    ['converted', runs.converted, sqlStatus('converted')],
    ['exited', runs.exited, sqlStatus('exited')],
    ['completed', runs.completed, sqlStatus('completed')],
    ['other (terminated)', runs.other, undefined],
    ...figures.steps.map((s): [string, number, number] => [`passed ${s.step}`, s.passed, Number(c.sql.passed[s.step] ?? 0)]),
    ...figures.steps.filter((s) => s.kind === 'send').map((s): [string, number, number] => [`sent ${s.step}`, s.sent, Number(c.sql.sent[s.step] ?? 0)]),
    ...figures.steps.flatMap((s) =>
      (['converted', 'exited'] as const).flatMap((how): Array<[string, number, number]> => (s[how] || c.sql.ended[`${how} at ${s.step}`] ? [[`${how} at ${s.step}`, s[how], Number(c.sql.ended[`${how} at ${s.step}`] ?? 0)]] : [])),
    ),
    ...figures.splits.flatMap((split) =>
      split.variants.flatMap((v): Array<[string, number, number]> => {
        const key = Object.keys(c.sql.paths).find((k) => k.startsWith(`${split.step}: path ${v.name}`));
        const taken = key ? c.sql.paths[key]! : { entered: 0, converted: 0 };
        return [
          [`${split.step} ${v.name}: assigned (SQL: took the path)`, v.entered, Number(taken.entered)],
          [`${split.step} ${v.name}: converted`, v.conversions, Number(taken.converted)],
        ];
      }),
    ),
  ];
  const w = Math.max(...rows.map(([label]) => label.length)) + 2;
  out(`${'figure'.padEnd(w)} ${'page'.padStart(10)} ${'SQL'.padStart(10)}`);
  for (const [label, page, sql] of rows) out(`${label.padEnd(w)} ${num(page).padStart(10)} ${num(sql).padStart(10)}`);
}
