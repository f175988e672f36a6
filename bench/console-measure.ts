import http from 'node:http';
import type { Store } from '../src/store/store';
import { percentile } from './load';

/** A figure's timings, in ms: of the answers, and apart those of the failures (with the first error). */
export interface Series {
  label: string;
  ms: number[];
  failedMs: number[];
  firstError?: string;
}

export interface Summary {
  p50: number;
  p95: number;
  max: number;
}

export function summary(s: Series): Summary {
  const sorted = [...s.ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? NaN };
}

/**
 * Times each of `ops` once per round, one after the other (never two at once: each answer is
 * timed alone), for `warmup` rounds not counted and then `rounds` counted. Interleaving the
 * figures round by round spreads the machine's noise over all of them alike. An op with
 * `pauseBefore` is preceded by `pauseMs` untimed: one that asks Temporal's visibility many
 * times then starts with the namespace's visibility rate limit refilled, as a single view would.
 */
export async function measureRounds(ops: Array<{ label: string; op: () => Promise<void>; pauseBefore?: boolean }>, warmup: number, rounds: number, pauseMs: number, say: (line: string) => void): Promise<Series[]> {
  const series = ops.map(({ label }): Series => ({ label, ms: [], failedMs: [] }));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [i, { op, pauseBefore }] of ops.entries()) {
      const s = series[i]!;
      if (pauseBefore && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      const t0 = performance.now();
      // A failure is a figure too (a page that errors at this size): timed apart, the first error kept.
      const failed = await op().then(
        () => false,
        (err: unknown) => ((s.firstError ??= (err as Error).message ?? String(err)), true),
      );
      if (round >= warmup) (failed ? s.failedMs : s.ms).push(performance.now() - t0);
    }
    const counted = round + 1 - warmup;
    if (counted > 0 && (counted === rounds || counted % Math.max(1, Math.round(rounds / 10)) === 0)) say(`measured ${counted}/${rounds} rounds`);
  }
  return series;
}

/** A keep-alive GET that fails on any status but 200, so an error page is never timed as an answer. */
export function pageGetter(baseUrl: string, headers: Record<string, string>) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get(path: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path, method: 'GET', agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString();
            if (res.statusCode === 200) resolve(body);
            else reject(new Error(`GET ${path} answered ${res.statusCode}: ${body.slice(0, 300)}`));
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}

/** The journey page's figures as one SQL statement over the store's tables: the baseline. */
export interface SqlJourneyFigures {
  byStatus: Record<string, number>;
  passed: Record<string, number>;
  sent: Record<string, number>;
  /** Per split step and path ("offer_test: path discount"): enrolments that reached it, and of those the converted. */
  paths: Record<string, { entered: number; converted: number }>;
  /** "converted at offer_test": enrolments that ended so at the step (the store's ended_step, when it has it). */
  ended: Record<string, number>;
}

/**
 * Entered, active, converted and exited per version (journey_enrolments), per step the enrolments
 * that passed (journey_path, first visits) and the messages sent (send_ledger), per split path the
 * enrolments that took it and converted: everything the journey page shows, in one round trip.
 * What it cannot say: runs that ended any other way (a terminated run never records its end, it
 * stays "active" here), and a split's intention-to-treat assignment of customers who have not
 * reached it (the page's per-path figures count those; here a path counts those who took it).
 */
export async function sqlJourneyFigures(store: Store, journeyId: string, version: string, from: Date, to: Date, endedStep: boolean): Promise<SqlJourneyFigures> {
  // With the store's ended_step (where a run ended), the same statement also counts the page's converted and exited per step.
  const ended = endedStep ? `, (SELECT json_object_agg(status || ' at ' || ended_step, n) FROM x WHERE ended_step IS NOT NULL) AS ended` : '';
  const { rows } = await store.query<{ by_status: Record<string, number> | null; passed: Record<string, number> | null; sent: Record<string, number> | null; paths: Record<string, { entered: number; converted: number }> | null; ended?: Record<string, number> | null }>(
    `WITH x AS (
       SELECT status, ${endedStep ? 'ended_step' : 'NULL::text AS ended_step'}, count(*) AS n FROM journey_enrolments
        WHERE journey_id = $1 AND version = $2 AND entered_at >= $3 AND entered_at < $4 GROUP BY 1, 2),
     e AS (SELECT status, sum(n) AS n FROM x GROUP BY status),
     p AS (
       SELECT step, count(*) AS n FROM journey_path
        WHERE journey_id = $1 AND version = $2 AND entered_at >= $3 AND entered_at < $4 AND visit = 1 GROUP BY step),
     s AS (
       SELECT step_id, count(*) AS n FROM send_ledger
        WHERE journey_id = $1 AND journey_version = $2 AND requested_at >= $3 AND requested_at < $4 AND state = 'sent' GROUP BY step_id),
     v AS (
       SELECT jp.step || ': ' || jp.outcome AS path, count(*) AS entered, count(*) FILTER (WHERE en.status = 'converted') AS converted
         FROM journey_path jp JOIN journey_enrolments en USING (journey_id, customer_id, entry_id)
        WHERE jp.journey_id = $1 AND jp.version = $2 AND jp.entered_at >= $3 AND jp.entered_at < $4 AND jp.visit = 1 AND jp.kind = 'split'
        GROUP BY 1)
     SELECT (SELECT json_object_agg(status, n) FROM e) AS by_status,
            (SELECT json_object_agg(step, n) FROM p) AS passed,
            (SELECT json_object_agg(step_id, n) FROM s) AS sent,
            (SELECT json_object_agg(path, json_build_object('entered', entered, 'converted', converted)) FROM v) AS paths${ended}`,
    [journeyId, version, from, to],
  );
  const r = rows[0]!;
  return { byStatus: r.by_status ?? {}, passed: r.passed ?? {}, sent: r.sent ?? {}, paths: r.paths ?? {}, ended: r.ended ?? {} };
}

/** A statement as the product sent it to the store, with its values. */
export type Statement = [text: string, values: unknown[]];

/**
 * The store, recording every statement sent through query() on the way: the product's readers
 * (SendLedger, JourneyPaths, PgProfileStore) built on it say which SQL a page runs, so the
 * baselines and plans follow the product's statements as they change.
 */
export function recordingStore(store: Store): { store: Store; take(): Statement[] } {
  let seen: Statement[] = [];
  const recording = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'query') return (text: string, values: unknown[] = []) => (seen.push([text, values]), target.query(text, values));
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: recording, take: () => ([seen, seen = []][0]!) };
}

/**
 * The customer page's store reads replayed as plain SQL, one after the other as the timeline runs
 * them, for `customerId` in place of the customer they were recorded for: the baseline without
 * the Temporal queries, the catalog and the rendering.
 */
export async function replayFor(store: Store, statements: Statement[], recordedFor: string, customerId: string): Promise<number> {
  let rows = 0;
  for (const [text, values] of statements) rows += (await store.query(text, values.map((v) => (v === recordedFor ? customerId : v)))).rowCount ?? 0;
  return rows;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/**
 * How PostgreSQL reads a statement now: its scans ("Seq Scan on journey_path, 1 row kept of
 * 430,000 read"), and its execution time. A sequential scan over a table that grows with the
 * customers is what makes a per-customer read slow at scale.
 */
export async function planOf(store: Store, text: string, values: unknown[]): Promise<string> {
  const { rows } = await store.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
  const { Plan, 'Execution Time': ms } = rows[0]!['QUERY PLAN'][0]!;
  const scans: string[] = [];
  const visit = (node: PlanNode) => {
    if (node['Relation Name']) {
      // Both are averages per loop: a parallel scan's workers are loops.
      const loops = node['Actual Loops'] ?? 1;
      const total = (n: number | undefined) => Math.round((n ?? 0) * loops).toLocaleString('en-US');
      const removed = node['Rows Removed by Filter'] ? ` (${total(node['Rows Removed by Filter'])} read and dropped)` : '';
      scans.push(`${node['Node Type']} on ${node['Relation Name']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}, ${total(node['Actual Rows'])} rows${removed}`);
    }
    node.Plans?.forEach(visit);
  };
  visit(Plan);
  return `${ms.toFixed(1)} ms: ${scans.join('; ')}`;
}

/** Each query alone, one after the other, three times: its median ms, slowest first. */
export async function timeEach(queries: string[], run: (query: string) => Promise<unknown>): Promise<Array<{ query: string; ms: number; error?: string }>> {
  const times: Array<{ query: string; ms: number; error?: string }> = [];
  for (const query of queries) {
    const ms: number[] = [];
    let error: string | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await run(query).catch((err: unknown) => (error ??= (err as Error).message ?? String(err)));
      ms.push(performance.now() - t0);
    }
    times.push({ query, ms: ms.sort((a, b) => a - b)[1]!, ...(error ? { error } : {}) });
  }
  return times.sort((a, b) => b.ms - a.ms);
}
