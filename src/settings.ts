import type { Config } from './config';
import type { ActivitySettings, JourneyRunSettings, RouterSettings } from '../workflows/contract';

/** The parts of config that workflow runs carry in their input (workflow code reads no environment). */
export function activitySettings(config: Config): ActivitySettings {
  return { ...config.activity };
}

export function journeyRunSettings(config: Config): JourneyRunSettings {
  const { maxBufferedEvents, maxPathEntries, continueAsNewAfterEvents, defaultTimezone, timeoutSyncMaxWaitMs } = config.journeys;
  const sends = config.sends.ratePerSecond > 0 ? { sendTaskQueue: config.sends.taskQueue } : {};
  return { activity: activitySettings(config), maxBufferedEvents, maxPathEntries, continueAsNewAfterEvents, defaultTimezone, timeoutSyncMaxWaitMs, ...sends, recordPath: true };
}

export function routerSettings(config: Config): RouterSettings {
  const { dedupeWindowMs, dedupeMaxIds, maxDecisions, continueAsNewAfterEvents } = config.router;
  return {
    activity: activitySettings(config),
    dedupeWindowMs,
    dedupeMaxIds,
    maxDecisions,
    continueAsNewAfterEvents,
    journey: journeyRunSettings(config),
  };
}
