import type { Client } from '@temporalio/client';
import type { ResultsReader } from '../api/results-routes';
import { SendLedger } from '../channels/ledger';
import { JourneyPaths } from '../store/journey-paths';
import { JourneyStore } from '../store/journeys';
import type { Store } from '../store/store';
import { journeyResults, resultsSources } from './journey-results';
import type { WarehouseKpisReader } from './warehouse-reader';

/**
 * Results read from the store (versions, the send ledger) and Temporal's visibility: the API's and
 * the CLI's. With `warehouseKpis`, each answer also carries the journey's KPIs from the warehouse
 * (`warehouse`), read side by side with the counts; a warehouse that cannot answer says so there.
 */
export function storeResultsReader(client: Client, store: Store, warehouseKpis?: WarehouseKpisReader): ResultsReader {
  const journeys = new JourneyStore(store);
  const ledger = new SendLedger(store);
  const paths = new JourneyPaths(store);
  const sources = resultsSources(client, { sentByStep: (...args) => ledger.sentByStep(...args), passedByStep: (...args) => paths.passedByStep(...args), endedByStep: (...args) => paths.endedByStep(...args) });
  return {
    currentVersion: async (journeyId) => (await journeys.states()).find((s) => s.journeyId === journeyId)?.currentVersion,
    definition: (journeyId, version) => journeys.definition(journeyId, version),
    async results(journey, range) {
      if (!warehouseKpis) return journeyResults(sources, journey, range);
      const [results, warehouse] = await Promise.all([journeyResults(sources, journey, range), warehouseKpis(range.journeyId)]);
      return { ...results, warehouse };
    },
  };
}
