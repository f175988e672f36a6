import type { CustomerEvent } from '../events/schema';
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
    if (j.entry.event !== event.type) continue;
    if (j.entry.filter) {
      const { holds, text } = explainCondition(j.entry.filter, { attributes: {}, properties: event.properties, performed: {} });
      if (!holds) {
        match.refused.push({ journeyId: j.id, why: `the entry filter ${text}` });
        continue;
      }
    }
    match.entered.push({ journeyId: j.id, version, reentry: j.reentry, listensTo: runEventTypes(j) });
  }
  return match;
}
