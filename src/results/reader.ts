import type { Client } from '@temporalio/client';
import type { ResultsReader } from '../api/results-routes';
import { SendLedger } from '../channels/ledger';
import { JourneyStore } from '../store/journeys';
import type { Store } from '../store/store';
import { journeyResults, resultsSources } from './journey-results';

/** Results read from the store (versions, the send ledger) and Temporal's visibility: the API's and the CLI's. */
export function storeResultsReader(client: Client, store: Store): ResultsReader {
  const journeys = new JourneyStore(store);
  const ledger = new SendLedger(store);
  const sources = resultsSources(client, (...args) => ledger.sentByStep(...args));
  return {
    currentVersion: async (journeyId) => (await journeys.states()).find((s) => s.journeyId === journeyId)?.currentVersion,
    definition: (journeyId, version) => journeys.definition(journeyId, version),
    results: (journey, range) => journeyResults(sources, journey, range),
  };
}
