import type { CustomerEvent } from '../events/schema';
import { entryMatches } from './entry-matches';
import { explainCondition } from './explain';
import { runEventTypes } from './event-types';
import type { PublishedJourney, Journey } from './schema';

/** What a router needs to know of a journey an event enters: no more than its policy and what its runs listen to. */
export interface EntryCandidate {
  journeyId: string;
  version: string;
  reentry: Journey['reentry'];
  listensTo: string[];
}

export interface EntryMatch {
  entered: EntryCandidate[];
  /** Journeys whose entry event this is but whose entry filter kept the customer out, and why. */
  refused: Array<{ journeyId: string; why: string }>;
}

/** The published journeys an event enters, and those of the same entry event it does not, with the reason. */
export function entriesFor(published: Iterable<PublishedJourney>, event: CustomerEvent): EntryMatch {
  const match: EntryMatch = { entered: [], refused: [] };
  for (const { definition: j, version } of published) {
    const ways = entryMatches(j).filter((m) => m.event === event.type);
    if (ways.length === 0) continue;
    // Any entry of this type whose filter holds (or that has none) lets the customer in.
    const refusals: string[] = [];
    for (const { filter } of ways) {
      if (!filter) break;
      const { holds, text } = explainCondition(filter, { attributes: {}, properties: event.properties, performed: {} });
      if (holds) break;
      refusals.push(`the entry filter ${text}`);
    }
    if (refusals.length === ways.length) {
      match.refused.push({ journeyId: j.id, why: refusals.join('; ') });
      continue;
    }
    match.entered.push({ journeyId: j.id, version, reentry: j.reentry, listensTo: runEventTypes(j) });
  }
  return match;
}
