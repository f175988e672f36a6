import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { customerTimeline } from '../customers/timeline';
import { backtestJourney, defaultHorizonMs } from '../journey/backtest';
import { noEntrantsMessage, readBacktestHistory } from '../journey/backtest-history';
import { sweepArchivedRuns } from '../journey/live-runs';
import type { LiveCatalog } from '../journey/live-catalog';
import type { Logger } from '../logger';
import { PgProfileStore } from '../profiles/pg-store';
import { JourneyPaths } from '../store/journey-paths';
import { JourneyStore } from '../store/journeys';
import type { Store } from '../store/store';
import { TemplateStore } from '../templates/template-store';
import { BacktestJobs } from './backtests';
import type { ConsoleDeps } from './routes';

/** What the console reads and changes, on the API's store and Temporal client. */
export function consoleDeps(config: Config, client: Client, store: Store, catalog: LiveCatalog, logger: Logger): Pick<ConsoleDeps, 'journeys' | 'running' | 'timeline' | 'templateChannels' | 'sweepArchived' | 'backtests'> {
  const templates = new TemplateStore(store);
  const sources = { client, profiles: new PgProfileStore(store, config.profileKeepKeys, config.limits), store, catalog, paths: new JourneyPaths(store) };
  return {
    journeys: new JourneyStore(store),
    // Journey ids are safe in a visibility query as they are (lowercase letters, digits and "-").
    running: async (journeyId) => (await client.workflow.count(`WorkflowType = 'journeyWorkflow' AND JourneyId = '${journeyId}' AND ExecutionStatus = 'Running'`)).count,
    timeline: (customerId) => customerTimeline(sources, customerId),
    backtests: new BacktestJobs(async (draft, customers, onProgress) => {
      const history = await readBacktestHistory(config, draft.definition, customers);
      if (!history.customers.length) throw new Error(noEntrantsMessage(draft.definition, history));
      return backtestJourney(draft, history, config, { horizonMs: defaultHorizonMs(draft.definition, config), onProgress });
    }, config.console.backtestsKept),
    templateChannels: async () => new Map((await templates.states()).map((t) => [t.templateId, t.channel])),
    sweepArchived: (journeyId, notice) => {
      const say = (line: string) => logger.info({ journeyId }, `archive from the console: ${line.trim()}`);
      sweepArchivedRuns(client, config, journeyId, notice, say).catch((err: unknown) => logger.error({ err, journeyId }, `archive from the console: the runs were not all told to exit; run 'waymark journeys archive ${journeyId}'`));
    },
  };
}
