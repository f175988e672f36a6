import type { ScoreName } from '../../src/scoring/models';
import type { PipelineSettings } from './contract';
import type { ScoringOutcome } from './retraining-contract';
import type { AudienceOutcome } from './audience-contract';

/**
 * The scoring workflow's contract (workflows/pipeline/scoring.ts): the champion scores every
 * customer again on the warehouse's latest features. Definitions only: the workflow bundle imports this file.
 */
export const SCORING_WORKFLOW = 'scoringWorkflow';

/** A model's scoring runs under this id prefix (a schedule appends its time). */
export const scoringWorkflowId = (model: ScoreName) => `scoring/${model}`;

export interface ScoringInput {
  model: ScoreName;
  settings: PipelineSettings;
}

/** Scored with the champion (and the audiences reading its score evaluated again), or not (no model promoted yet). */
export type ScoringResult = { model: ScoreName; scoring: ScoringOutcome; audiences: Array<AudienceOutcome | { audience: string; failed: string }> } | { model: ScoreName; skipped: string };
