import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { AudienceActivities } from '../../activities/pipeline/audiences';
import { md } from '../../src/temporal/markdown';
import type { AudienceInput, AudienceOutcome } from './audience-contract';
import { stageOptions } from './run-context';

/**
 * One audience re-evaluated over every profile: customers who came to match get an
 * `audience_entered` event (every member does, on the audience's schedule), paced, and the
 * membership is recorded for the next run. An audience no longer defined fails for good.
 */
export async function audienceWorkflow({ name, mode, settings }: AudienceInput): Promise<AudienceOutcome> {
  const act = proxyActivities<AudienceActivities>(stageOptions(settings, ['AudienceUnknown']));
  setCurrentDetails(`**evaluating** audience ${md(name)} over every profile`);
  const outcome = await act.refreshAudience(name, mode, workflowInfo().runId);
  const who = mode === 'everyone' ? 'every member enrolled' : `${outcome.entered} came to match, ${outcome.left} no longer match`;
  setCurrentDetails(`**${md(name)}**: ${outcome.members} of ${outcome.profiles} profiles match; ${who}; ${outcome.sent} audience_entered events sent`);
  return outcome;
}
