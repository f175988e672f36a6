import type { CatalogSnapshot, LiveCatalog } from '../journey/live-catalog';
import { entryMatches } from '../journey/entry-matches';
import { runEventTypes } from '../journey/event-types';
import type { Logger } from '../logger';

/**
 * The event types the published journeys react to: what starts them, and what their runs
 * listen for (the same rule the customer router forwards by). Any other type is recorded and
 * has no effect.
 */
export function knownEventTypes(catalog: Pick<CatalogSnapshot, 'all'>): ReadonlySet<string> {
  const types = new Set<string>();
  for (const { definition: journey } of catalog.all()) {
    for (const entry of entryMatches(journey)) types.add(entry.event);
    for (const type of runEventTypes(journey)) types.add(type);
  }
  return types;
}

/**
 * The known types of the journeys published now, following publishes without a restart. The
 * store is not needed to accept an event: when it cannot be read, the last types seen are used.
 */
export function liveKnownTypes(catalog: LiveCatalog, logger: Logger): () => Promise<ReadonlySet<string>> {
  let last: { snapshot?: CatalogSnapshot; types: ReadonlySet<string> } = { types: new Set() };
  return async () => {
    try {
      const snapshot = await catalog.current();
      if (snapshot !== last.snapshot) last = { snapshot, types: knownEventTypes(snapshot) };
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not read the published journeys from the store; using the event types seen last');
    }
    return last.types;
  };
}
