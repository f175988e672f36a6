import { executeChild, proxyActivities, rootCause, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { AudienceActivities } from '../../activities/pipeline/audiences';
import { md } from '../../src/temporal/markdown';
import { audienceWorkflow } from './audience';
import { audienceWorkflowId, type AudienceInput } from './audience-contract';
import type { TrainingActivities } from '../../activities/pipeline/training';
import type { ScoringInput, ScoringResult } from './scoring-contract';
import { scoringOf } from './scoring-details';
import { stageOptions } from './run-context';

/**
 * A model's champion scores every customer again, on the features of the latest published batch:
 * profiles, the store's features (for journeys' score conditions), the warehouse's scores table,
 * and the high event for those whose score rose to the threshold since the last scoring; then the
 * audiences that read this score are evaluated again (child runs). Runs on a schedule (waymark
 * schedules apply); without a champion there is nothing to do.
 */
export async function scoringWorkflow({ model, settings }: ScoringInput): Promise<ScoringResult> {
  const act = proxyActivities<TrainingActivities>(stageOptions(settings, ['TrainingRefused']));
  const audiences = proxyActivities<AudienceActivities>(stageOptions(settings, []));
  const version = await act.championVersion(model);
  if (version === undefined) {
    const skipped = `no ${model} model has been promoted yet (waymark models train ${model})`;
    setCurrentDetails(`**nothing to score**: ${skipped}`);
    return { model, skipped };
  }
  setCurrentDetails(`**scoring customers** with ${model}@${version}`);
  const scoring = await act.scoreCustomers(model, version);
  const scored = `${model}@${version}: ${scoringOf(scoring)}`;
  // The audiences that read this score are evaluated now, not at their next refresh (one at a time each: refresh.ts).
  const names = await audiences.audiencesReading(model);
  setCurrentDetails(`${scored}\n\n**evaluating audiences**: ${names.join(', ') || 'none reads this score'}`);
  const evaluated = await Promise.all(
    names.map((name) =>
      // An audience that fails (its file removed meanwhile) is recorded; the scoring stands.
      executeChild(audienceWorkflow, { workflowId: `${audienceWorkflowId(name)}-scored-${workflowInfo().runId}`, args: [{ name, mode: 'changes', settings } satisfies AudienceInput] }).catch(
        (err: Error) => ({ audience: name, failed: rootCause(err) ?? err.message }),
      ),
    ),
  );
  const lines = evaluated.map((a) => `\n\naudience ${md(a.audience)}: ${'failed' in a ? `failed: ${md(a.failed)}` : `${a.entered} came to match, ${a.left} left`}`);
  setCurrentDetails(`${scored}${lines.join('')}`);
  return { model, scoring, audiences: evaluated };
}
