/**
 * The Temporal SDK's Prometheus metrics of a bench worker (WAYMARK_WORKER_METRICS_ADDRESS):
 * sticky cache size, workflow task and activity latencies. Durations are in milliseconds (the
 * SDK's default). Values are summed over label sets (task queues, workflow types).
 */
export type Samples = Map<string, number>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

/** One scrape, or undefined when the endpoint does not answer (the bench then says so). */
export async function scrape(url: string): Promise<Samples | undefined> {
  let text: string;
  try {
    const res = await fetch(url);
    if (!res.ok) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    // Summed over label sets, except the histogram bucket bound, which stays in the key.
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    const key = le === undefined ? name! : `${name}|${le}`;
    samples.set(key, (samples.get(key) ?? 0) + Number(value));
  }
  return samples;
}

export interface Histogram {
  count: number;
  sumMs: number;
  /** Cumulative counts by upper bound, ascending. */
  buckets: Array<[number, number]>;
}

/** The histogram `name` (e.g. "temporal_workflow_task_execution_latency"), minus what `before` had. */
export function histogram(after: Samples | undefined, before: Samples | undefined, name: string): Histogram | undefined {
  if (!after) return undefined;
  const value = (key: string) => (after.get(key) ?? 0) - (before?.get(key) ?? 0);
  const buckets: Array<[number, number]> = [];
  for (const key of after.keys()) {
    const [metric, le] = key.split('|');
    if (metric === `${name}_bucket` && le !== undefined) buckets.push([le === '+Inf' ? Infinity : Number(le), value(key)]);
  }
  if (!buckets.length) return undefined;
  buckets.sort((a, b) => a[0] - b[0]);
  return { count: value(`${name}_count`), sumMs: value(`${name}_sum`), buckets };
}

/** The bucket bound under which a share `q` of the observations fall (an upper bound on the quantile). */
export function quantileMs(h: Histogram, q: number): number {
  const rank = q * h.count;
  return h.buckets.find(([, cumulative]) => cumulative >= rank)?.[0] ?? NaN;
}

export function gauge(samples: Samples | undefined, name: string): number | undefined {
  return samples?.get(name);
}

/** "mean 12 ms, p95 <= 50 ms (n=2,000)" for the report (past the largest bucket: "p95 > 1000 ms"). */
export function describeLatency(h: Histogram | undefined): string {
  if (!h || !h.count) return 'n/a';
  const p95 = quantileMs(h, 0.95);
  const largest = h.buckets.filter(([le]) => Number.isFinite(le)).at(-1)?.[0];
  const bound = Number.isFinite(p95) ? `<= ${p95}` : `> ${largest}`;
  return `mean ${(h.sumMs / h.count).toFixed(1)} ms, p95 ${bound} ms (n=${h.count.toLocaleString('en-US')})`;
}

/** Where a phase's time went in a worker: the SDK's latency histograms over that phase. */
export const TIME_METRICS: Array<[string, string]> = [
  ['workflow task schedule-to-start', 'temporal_workflow_task_schedule_to_start_latency'],
  ['workflow task execution', 'temporal_workflow_task_execution_latency'],
  ['workflow task replay', 'temporal_workflow_task_replay_latency'],
  ['activity schedule-to-start', 'temporal_activity_schedule_to_start_latency'],
  ['activity execution', 'temporal_activity_execution_latency'],
  ['local activity execution', 'temporal_local_activity_execution_latency'],
];

export function whereTimeGoes(after: Samples | undefined, before: Samples | undefined): string[] {
  if (!after) return ['(the worker served no metrics)'];
  return TIME_METRICS.map(([label, name]) => `${label.padEnd(34)} ${describeLatency(histogram(after, before, name))}`);
}
