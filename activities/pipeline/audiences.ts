import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../../src/config';
import { loadAudiences } from '../../src/audiences/catalog';
import { refreshAudience, type Progress } from '../../src/audiences/refresh';
import type { Store } from '../../src/store/store';
import { scoresIn } from '../../src/journey/conditions';
import type { ScoreName } from '../../src/scoring/models';
import type { AudienceMode, AudienceOutcome } from '../../workflows/pipeline/audience-contract';
import { withHeartbeat } from './heartbeat';
import type { SubmitEvent } from './send-events';

/** The audience workflow's activity (workflows/pipeline/audience.ts). */
export function createAudienceActivities(deps: { config: Config; store: Store; submit: SubmitEvent }) {
  const { config, store, submit } = deps;
  return {
    /** The audiences whose condition reads this model's score: a new scoring re-evaluates them. */
    async audiencesReading(model: ScoreName): Promise<string[]> {
      return [...loadAudiences(config).audiences.values()].filter((a) => scoresIn(a.when).has(model)).map((a) => a.name);
    },

    /** `runKey`: the workflow run's id, which fixes the events' ids across retries of this step. */
    async refreshAudience(name: string, mode: AudienceMode, runKey: string): Promise<AudienceOutcome> {
      // Read at each run: an audience file edited since the worker started counts.
      const audience = loadAudiences(config).audiences.get(name);
      if (!audience) throw ApplicationFailure.nonRetryable(`no audience "${name}": 'waymark audiences list' shows them (a file that does not validate is left out)`, 'AudienceUnknown');
      let progress: Progress = { step: 'evaluate', done: 0, total: 0 };
      const settings = { pageRows: config.audiences.pageRows, concurrency: config.pipeline.emitConcurrency, perSecond: config.audiences.enrolPerSecond };
      return withHeartbeat(() => progress, () => refreshAudience({ store, submit, settings }, audience, mode, runKey, (p) => (progress = p)));
    },
  };
}

export type AudienceActivities = ReturnType<typeof createAudienceActivities>;
