import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { TrainingActivities } from '../../activities/pipeline/training';
import type { ScoringInput, ScoringResult } from './scoring-contract';
import { scoringOf } from './scoring-details';
import { stageOptions } from './run-context';

/**
 * A model's champion scores every customer again, on the features of the latest published batch:
 * profiles, the store's features (for journeys' score conditions), the warehouse's scores table,
 * and the high event for those whose score rose to the threshold since the last scoring. Runs on a
 * schedule (waymark schedules apply); without a champion there is nothing to do.
 */
export async function scoringWorkflow({ model, settings }: ScoringInput): Promise<ScoringResult> {
  const act = proxyActivities<TrainingActivities>(stageOptions(settings, ['TrainingRefused']));
  const version = await act.championVersion(model);
  if (version === undefined) {
    const skipped = `no ${model} model has been promoted yet (waymark models train ${model})`;
    setCurrentDetails(`**nothing to score**: ${skipped}`);
    return { model, skipped };
  }
  setCurrentDetails(`**scoring customers** with ${model}@${version}`);
  const scoring = await act.scoreCustomers(model, version);
  setCurrentDetails(`${model}@${version}: ${scoringOf(scoring)}`);
  return { model, scoring };
}
