/** How a bench phase waits for its work, shows progress, and gives up at the overall deadline. */

/** Thrown when WAYMARK_BENCH_TIMEOUT passes; the message says what was reached and where the backlog is. */
export class BenchTimeout extends Error {}

export interface Progress {
  /** Customers whose event or start was accepted so far. */
  accepted: number;
  /** Customers whose work is done (first message / baseline record). */
  done: number;
  /** Customers parked in their first wait. */
  parked: number;
}

export interface WatchOptions {
  label: string;
  total: number;
  everyMs: number;
  deadline: number;
  /** Rejects when a process the phase needs dies. */
  watchdog: Promise<never>;
  progress(): Promise<Progress>;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Prints progress every `everyMs` until `sending` has settled and every one of `total`
 * customers is done and parked; once all are done it looks ten times as often, so the end is
 * seen within everyMs / 10. Resolves with the last progress and when the end was seen; throws
 * BenchTimeout at the deadline, or the sender's or the watchdog's error.
 */
export async function watchUntilDone(opts: WatchOptions, sending: Promise<void>): Promise<{ progress: Progress; at: number }> {
  let sent = false;
  let sendError: unknown;
  sending.then(
    () => (sent = true),
    (err: unknown) => (sendError = err),
  );
  // Wakes the loop when sending ends; raced only until then (a settled promise in the race would make the loop spin).
  const sendingEnds = sending.then(
    () => undefined,
    () => undefined,
  );
  let shown = { at: Date.now(), parked: 0 };
  let almost = false;
  for (;;) {
    await Promise.race([new Promise((r) => setTimeout(r, almost ? opts.everyMs / 10 : opts.everyMs)), opts.watchdog, ...(sent ? [] : [sendingEnds])]);
    if (sendError) throw sendError;
    const p = await opts.progress();
    const now = Date.now();
    const finished = sent && p.done >= opts.total && p.parked >= opts.total;
    if (now - shown.at >= opts.everyMs || finished) {
      const rate = ((p.parked - shown.parked) * 1000) / Math.max(1, now - shown.at);
      shown = { at: now, parked: p.parked };
      console.log(`${opts.label}: ${fmt(p.accepted)}/${fmt(opts.total)} accepted, ${fmt(p.done)} done, ${fmt(p.parked)} parked, ${rate.toFixed(0)}/s`);
    }
    if (finished) return { progress: p, at: now };
    almost = sent && p.done >= opts.total;
    if (now > opts.deadline) {
      throw new BenchTimeout(
        `${opts.label}: WAYMARK_BENCH_TIMEOUT reached with ${fmt(p.accepted)}/${fmt(opts.total)} accepted; backlog: ` +
          `${fmt(opts.total - p.done)} customers without their first message/record, ${fmt(opts.total - p.parked)} not parked`,
      );
    }
  }
}

/** Runs `op` for each of `items`, `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, op: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < items.length) await op(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, loop));
}

/** Calls `op` for each of `items` at a steady `perSecond`, without waiting for one call before the next. */
export async function paced<T>(items: T[], perSecond: number, op: (item: T) => Promise<void>): Promise<void> {
  const start = Date.now();
  const calls: Promise<void>[] = [];
  for (const [i, item] of items.entries()) {
    const wait = start + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(op(item));
  }
  await Promise.all(calls);
}

/** `n` customer ids with a prefix unique to the run and the phase. */
export function customerIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
