import type { JourneyCatalog } from '../journey/catalog';

/**
 * The event types the published journeys react to: what starts them, and what their runs
 * listen for (wait_for_event steps, goals, exits). These are the types the customer router
 * acts on (workflows/customer.ts, listensTo); any other type is recorded and has no effect.
 */
export function knownEventTypes(catalog: JourneyCatalog): ReadonlySet<string> {
  const types = new Set<string>();
  for (const { definition: journey } of catalog.all()) {
    types.add(journey.entry.event);
    for (const match of [...journey.goals, ...journey.exits]) types.add(match.event);
    for (const step of Object.values(journey.steps)) if (step.kind === 'wait_for_event') types.add(step.event);
  }
  return types;
}
