/** What one load phase measured: accepted operations and their latencies. */
export interface PhaseResult {
  name: string;
  ok: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

/**
 * Runs `op` from `concurrency` loops for `warmupMs` (not counted: JIT, connection pools, first
 * workflow starts) and then `durationMs` (counted). `op` gets a running number and throws on failure.
 */
export async function drive(name: string, op: (n: number) => Promise<void>, opts: { concurrency: number; warmupMs: number; durationMs: number }): Promise<PhaseResult> {
  const result: PhaseResult = { name, ok: 0, errors: 0, seconds: opts.durationMs / 1000, latenciesMs: [] };
  const start = Date.now() + opts.warmupMs;
  const end = start + opts.durationMs;
  let n = 0;
  const loop = async () => {
    while (Date.now() < end) {
      const startedAt = Date.now();
      const t0 = performance.now();
      let failed = false;
      try {
        await op(n++);
      } catch {
        failed = true;
      }
      const ms = performance.now() - t0;
      if (startedAt < start || Date.now() > end) continue; // warm-up, or spilled past the window
      if (failed) result.errors++;
      else {
        result.ok++;
        result.latenciesMs.push(ms);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  return result;
}

export function percentile(sortedMs: number[], p: number): number {
  if (!sortedMs.length) return NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))]!;
}

export function summarize(r: PhaseResult) {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return { perSecond: r.ok / r.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), errors: r.errors };
}
