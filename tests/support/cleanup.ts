/**
 * What a test file has started and not released yet: workers, Temporal servers and connections,
 * child processes, loopback servers. The helpers that start them register each one with `track`
 * (tests/support/track-temporal.ts registers every Temporal worker, test server and connection),
 * and their own close/stop untracks it. Whatever a file leaves behind (a test that failed before
 * its cleanup ran, a cleanup that threw) is released when the file ends, after its own hooks, by
 * the test environment (tests/support/environment.ts), which prints one line per thing it had to
 * release: a leak shows, and the next file and the end of the run are not held up by it.
 *
 * The registry lives on the test file's global (the environment puts it there), so the
 * environment and the file's modules see the same one.
 */

/** Release order: workers, then the connections they held, the Temporal servers, child processes, loopback servers, the rest. */
export const STAGES = ['worker', 'connection', 'temporal', 'process', 'server', 'other'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * A release may say what it found ("never run", "killed 2 processes"), printed with its name; it
 * returns false when it found nothing left open (a process that had just exited): not reported.
 */
export type Release = () => unknown;

interface Entry {
  id: number;
  what: string;
  stage: Stage;
  release: Release;
}

export interface CleanupRegistry {
  entries: Map<number, Entry>;
  nextId: number;
}

export const REGISTRY_KEY = '__waymarkCleanup';

/** A registry of its own for a process outside jest (a script using the harness). */
export function newRegistry(): CleanupRegistry {
  return { entries: new Map(), nextId: 1 };
}

function registry(): CleanupRegistry {
  const global = globalThis as unknown as Record<string, CleanupRegistry | undefined>;
  return (global[REGISTRY_KEY] ??= newRegistry());
}

/**
 * Registers something a test started, with how to release it (idempotent: it may already be
 * released, or be released by its owner at the same time). Returns the untrack function its
 * owner calls once it has released it itself.
 */
export function track(what: string, release: Release, stage: Stage = 'other'): () => void {
  const reg = registry();
  const id = reg.nextId++;
  reg.entries.set(id, { id, what, stage, release });
  return () => void reg.entries.delete(id);
}

/** Stage order; within a stage, the latest first (what was started on top of something else goes first). */
function ordered(reg: CleanupRegistry): Entry[] {
  return [...reg.entries.values()].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || b.id - a.id);
}

export interface Released {
  what: string;
  /** False when the release found nothing left open. */
  wasOpen: boolean;
  /** What the release said ("created, never run", "killed 1 process(es): ..."), or how it failed. */
  note?: string;
  failed?: boolean;
}

/**
 * Releases everything still registered (of `stages`), in stage order (the entries of one stage at
 * the same time), each within `timeoutMs`; a release that fails or takes longer is reported, not
 * thrown. Entries registered while this runs (a release that starts something) are released too.
 */
export async function releaseAll(reg: CleanupRegistry = registry(), timeoutMs = 30_000, stages: readonly Stage[] = STAGES): Promise<Released[]> {
  const released: Released[] = [];
  for (let round = 0; ordered(reg).some((e) => stages.includes(e.stage)) && round < 5; round++) {
    for (const stage of stages) {
      const batch = ordered(reg).filter((e) => e.stage === stage);
      for (const e of batch) reg.entries.delete(e.id);
      released.push(...(await Promise.all(batch.map((e) => releaseOne(e, timeoutMs)))));
    }
  }
  return released;
}

async function releaseOne({ what, release }: Entry, timeoutMs: number): Promise<Released> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not released within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    const note = await Promise.race([Promise.resolve().then(release), timedOut]);
    return { what, wasOpen: note !== false, ...(typeof note === 'string' ? { note } : {}) };
  } catch (err) {
    return { what, wasOpen: true, note: (err as Error)?.message ?? String(err), failed: true };
  } finally {
    clearTimeout(timer);
  }
}

/** A promise that settles within `ms` (rejecting with `what` when it does not). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
