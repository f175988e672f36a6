import type { CustomerEvent } from '../events/schema';
import { entryMatches } from './entry-matches';
import type { JourneyStatus, JourneyStore } from '../store/journeys';
import { entriesFor, type EntryMatch } from './entries';
import type { PublishedJourney } from './schema';

export interface CatalogEntry {
  published: PublishedJourney;
  status: JourneyStatus;
}

/** The journeys in the store at one moment: each one's current version and status. */
export class CatalogSnapshot {
  private readonly byId: Map<string, CatalogEntry>;

  constructor(
    readonly entries: readonly CatalogEntry[],
    /** The store's change mark this snapshot was read at. */
    readonly mark: number,
  ) {
    this.byId = new Map(entries.map((e) => [e.published.definition.id, e]));
  }

  /** Every journey's current version, whatever its status (runs of paused journeys still listen for events). */
  all(): PublishedJourney[] {
    return this.entries.map((e) => e.published);
  }

  get(id: string): PublishedJourney | undefined {
    return this.byId.get(id)?.published;
  }

  status(id: string): JourneyStatus | undefined {
    return this.byId.get(id)?.status;
  }

  /** The journeys `event` enters; those it would enter but that are paused, archived or filtered out, with why. */
  entriesFor(event: CustomerEvent): EntryMatch {
    const match = entriesFor(this.entries.filter((e) => e.status === 'active').map((e) => e.published), event);
    for (const { published, status } of this.entries) {
      if (status !== 'active' && entryMatches(published.definition).some((m) => m.event === event.type)) {
        match.refused.push({ journeyId: published.definition.id, why: `the journey is ${status} (it takes no new customers until it is resumed)` });
      }
    }
    return match;
  }
}

/**
 * The published journeys as every process sees them: read from the store, and read again when
 * the store's change mark moved (checked at most every `refreshMs`), so a publish, pause or
 * rollback reaches running workers and APIs within about `refreshMs`, without a restart.
 */
export class LiveCatalog {
  private snapshot?: CatalogSnapshot;
  private checkedAt = 0;
  private checking?: Promise<CatalogSnapshot>;

  constructor(
    private readonly journeys: JourneyStore,
    private readonly refreshMs: number,
  ) {}

  /** The last snapshot read, without asking the store (undefined before the first read). */
  last(): CatalogSnapshot | undefined {
    return this.snapshot;
  }

  async current(): Promise<CatalogSnapshot> {
    if (this.snapshot && Date.now() - this.checkedAt < this.refreshMs) return this.snapshot;
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * While the store cannot be read, the last snapshot stands (nobody can publish or pause then
   * either), so routing goes on; without one, the caller's activity fails and is retried.
   */
  private async check(): Promise<CatalogSnapshot> {
    try {
      const mark = await this.journeys.changeMark();
      if (!this.snapshot || mark !== this.snapshot.mark) this.snapshot = new CatalogSnapshot(await this.journeys.current(), mark);
    } catch (err) {
      if (!this.snapshot) throw err;
    }
    this.checkedAt = Date.now();
    return this.snapshot;
  }
}
