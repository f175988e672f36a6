import type { JourneyStore } from '../store/journeys';
import type { LiveCatalog } from './live-catalog';
import type { Journey } from './schema';

/** A run names a version the store does not hold: it waits (the activity retries) until that version is published. */
export class JourneyVersionMissingError extends Error {
  readonly code = 'JOURNEY_VERSION_MISSING';
  constructor(journeyId: string, version: string) {
    super(`journey ${journeyId} version ${version} is not in the store; publish that definition again (its file) so the runs that use it can go on`);
    this.name = 'JourneyVersionMissingError';
  }
}

/**
 * Journey definitions by (id, version), for runs that must find the version they started with
 * after the catalog moved on. Versions are immutable, so each one read is kept in memory.
 */
export class JourneyVersions {
  private readonly known = new Map<string, Journey>();

  constructor(
    private readonly journeys: JourneyStore,
    /** Current versions come from the catalog's last read: entering a journey needs no store call. */
    private readonly catalog: LiveCatalog,
  ) {}

  async get(journeyId: string, version: string): Promise<Journey> {
    const key = JSON.stringify([journeyId, version]);
    const cached = this.known.get(key);
    if (cached) return cached;
    const current = this.catalog.last()?.get(journeyId);
    if (current?.version === version) return current.definition;
    const stored = await this.journeys.definition(journeyId, version);
    if (!stored) throw new JourneyVersionMissingError(journeyId, version);
    this.known.set(key, stored);
    return stored;
  }
}
