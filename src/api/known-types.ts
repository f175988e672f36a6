import type { JourneyCatalog } from '../journey/catalog';
import { runEventTypes } from '../journey/event-types';

/**
 * The event types the published journeys react to: what starts them, and what their runs
 * listen for (the same rule the customer router forwards by). Any other type is recorded and
 * has no effect.
 */
export function knownEventTypes(catalog: JourneyCatalog): ReadonlySet<string> {
  const types = new Set<string>();
  for (const { definition: journey } of catalog.all()) {
    types.add(journey.entry.event);
    for (const type of runEventTypes(journey)) types.add(type);
  }
  return types;
}
