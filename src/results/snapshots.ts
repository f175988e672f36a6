/** Figures computed at `asOf`, and how the last attempt to compute newer ones went when it failed. */
export interface Snapshot<V> {
  value: V;
  /** When the computation that produced `value` started: the figures are at least this recent. */
  asOf: Date;
  /** The last refresh that failed after `asOf` (the figures shown are then older than the refresh interval). */
  refreshFailed?: { at: Date; message: string };
}

interface Entry<V> {
  snapshot?: Snapshot<V>;
  inFlight?: Promise<Snapshot<V>>;
}

export interface SnapshotOptions {
  /** A snapshot older than this is served once more while a newer one is computed in the background (0: computed for each reader). */
  refreshMs: number;
  /** Snapshots kept (the least recently read go first). */
  maxEntries: number;
  now?: () => number;
}

/**
 * Figures that are costly to compute (many visibility counts over a large journey) served from the
 * last computation, refreshed in the background when someone reads them and they are older than
 * `refreshMs`: a reader waits only for the first computation of a key, and concurrent readers share
 * one computation. A failed refresh keeps the last figures and says so; a failed first computation
 * throws to its readers and is tried again by the next.
 */
export class Snapshots<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;

  constructor(private readonly options: SnapshotOptions) {
    this.now = options.now ?? Date.now;
  }

  async read(key: string, compute: () => Promise<V>): Promise<Snapshot<V>> {
    const entry = this.entries.get(key) ?? {};
    this.entries.delete(key); // re-inserted last: the Map's order is the order of last reads
    this.entries.set(key, entry);
    this.evict();
    const { snapshot } = entry;
    if (this.options.refreshMs === 0) return this.refresh(entry, compute); // figures computed for each reader
    if (!snapshot) return entry.inFlight ?? this.refresh(entry, compute);
    if (this.now() - snapshot.asOf.getTime() >= this.options.refreshMs && !entry.inFlight) this.refresh(entry, compute).catch(() => undefined);
    return snapshot;
  }

  private refresh(entry: Entry<V>, compute: () => Promise<V>): Promise<Snapshot<V>> {
    const asOf = new Date(this.now());
    const run = (async () => {
      try {
        const snapshot = { value: await compute(), asOf };
        entry.snapshot = snapshot;
        return snapshot;
      } catch (err) {
        if (entry.snapshot) entry.snapshot.refreshFailed = { at: new Date(this.now()), message: err instanceof Error ? err.message : String(err) };
        throw err;
      } finally {
        entry.inFlight = undefined;
      }
    })();
    entry.inFlight = run;
    return run;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) return;
      this.entries.delete(key);
    }
  }
}
