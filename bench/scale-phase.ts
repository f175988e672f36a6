import type { Path } from './paths';
import { paced, watchUntilDone } from './phase';
import { latencies, type Latencies } from './records';
import { scrape, whereTimeGoes } from './metrics';
import type { Stack } from './stack';

/** What one phase of one path measured. */
export interface PhaseResult {
  customers: number;
  /** From the first hand-over to the moment every customer was seen done and parked. */
  seconds: number;
  perSecond: number;
  /** Accepted (202 / start returned) -> done (first message / baseline record). */
  latency: Latencies;
  /** Growth of the database over the phase, per customer: its files (temporal.db + WAL), and its pages in use. */
  dbFileBytesPerCustomer: number;
  dbUsedBytesPerCustomer: number;
  /** Growth of the store's database (PostgreSQL) over the phase, per customer. */
  storeBytesPerCustomer: number;
  /** The worker's SDK latency histograms over the phase. */
  timeGoes: string[];
}

export interface PhaseOptions {
  label: string;
  prefix: string;
  ids: string[];
  /** Customers per second, one at a time; otherwise as fast as the path's concurrency allows. */
  rate?: number;
  deadline: number;
  watchdog: Promise<never>;
}

/** Enrols `ids` through `path`, waits until each is done and parked, and measures the phase. */
export async function runPhase(stack: Stack, path: Path, opts: PhaseOptions): Promise<PhaseResult> {
  const { config } = stack;
  const base = await path.counts();
  const dbBefore = await stack.dbSize();
  const storeBefore = await stack.storeBytes();
  const metricsBefore = await scrape(path.worker.metricsUrl);
  const accepted = new Map<string, number>();
  const t0 = Date.now();
  const sending = opts.rate ? paced(opts.ids, opts.rate, (id) => path.enrolOne(id, accepted)) : path.enrolMany(opts.ids, accepted);
  const { at } = await watchUntilDone(
    {
      label: opts.label,
      total: opts.ids.length,
      everyMs: config.bench.progressEveryMs,
      deadline: opts.deadline,
      watchdog: opts.watchdog,
      progress: async () => {
        const now = await path.counts(base.done + opts.ids.length);
        return { accepted: accepted.size, done: now.done - base.done, parked: now.parked - base.parked };
      },
    },
    sending,
  );
  const seconds = (at - t0) / 1000;
  const dbAfter = await stack.dbSize();
  const storeAfter = await stack.storeBytes();
  return {
    customers: opts.ids.length,
    seconds,
    perSecond: opts.ids.length / seconds,
    latency: latencies(accepted, await path.doneTimes(opts.prefix)),
    dbFileBytesPerCustomer: (dbAfter.fileBytes - dbBefore.fileBytes) / opts.ids.length,
    dbUsedBytesPerCustomer: (dbAfter.usedBytes - dbBefore.usedBytes) / opts.ids.length,
    storeBytesPerCustomer: (storeAfter - storeBefore) / opts.ids.length,
    timeGoes: whereTimeGoes(await scrape(path.worker.metricsUrl), metricsBefore),
  };
}
