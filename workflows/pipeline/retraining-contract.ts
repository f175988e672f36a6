import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ScoreName } from '../../src/scoring/models';
import type { PipelineSettings } from './contract';

/**
 * The retraining workflow's contract (workflows/pipeline/retraining.ts): its input, result, the
 * approval Update and the progress query. Definitions only: the workflow bundle imports this file.
 */
export const RETRAINING_WORKFLOW = 'retrainingWorkflow';

/** A model's retraining runs under this id prefix: one at a time per model. */
export const retrainingWorkflowId = (model: ScoreName) => `retraining/${model}`;

export interface RetrainingSettings extends PipelineSettings {
  /** The Python trainer's task queue. */
  trainingTaskQueue: string;
  promoteMargin: number;
  approval: 'required' | 'automatic';
  approvalTimeoutMs: number;
}

export interface RetrainingInput {
  model: ScoreName;
  settings: RetrainingSettings;
}

/** A figure of one version: held-out AUC for a classifier, R² for a regression. */
export interface Figure {
  name: string;
  value: number;
}

export interface Registered {
  version: number;
  figure: Figure;
  /** The champion it is compared with; absent: the model has none yet. */
  champion?: { version: number; figure: Figure };
  /** The same figure of a baseline with no learning (one feature: what the rule stand-in ranks by), on the same held-out rows. */
  baseline?: Figure & { what: string };
  /** Held-out rows onnxruntime-node scored as the trainer did. */
  probesChecked: number;
  trainingWindow: { from: string; to: string };
  rows: { training: number; heldOut: number };
  /** Each feature's population stability index against the champion's training rows, and those flagged (absent: no champion). */
  drift?: { against: number; threshold: number; psi: Record<string, number>; large: string[] };
}

export interface Decision {
  approve: boolean;
  /** Who decided (a person's name or email). */
  approver: string;
  note?: string;
}

/** What a promoted model's batch scoring did (activities/pipeline/score-customers.ts). */
export interface ScoringOutcome {
  model: ScoreName;
  version: number;
  /** Customers scored (the model's lifecycle stages, with features in the last batch). */
  scored: number;
  /** Profiles updated with the score; refused: ids or profiles the store would not take, a few named. */
  written: number;
  refused: number;
  examples: string[];
  /** Customers whose score rose to the threshold, each sent `event`. */
  crossed: number;
  event?: string;
  threshold: number;
}

/** What happened to one reverse ETL sync after the promotion (workflows/pipeline/reverse-etl.ts). */
export type SyncOutcome =
  /** `followed`: a run already in progress was followed, none triggered. */
  | { sync: string; outcome: 'succeeded'; runId: string; followed: boolean; rows: number; summary: string; warning?: string }
  /** `reason`: the provider's own words, or why the run could not be started or followed; `runId` absent when none was. */
  | { sync: string; outcome: 'failed'; runId?: string; followed?: boolean; reason: string }
  /** Still going when the follow time (`followedMs`) ran out; it goes on at the provider. */
  | { sync: string; outcome: 'still running'; runId: string; followed: boolean; followedMs: number; progress: string };

export interface ReverseEtlOutcome {
  /** "hightouch", "local", "off" (no syncs); "unknown" when the plan itself failed (`failed` says why). */
  adapter: string;
  syncs: SyncOutcome[];
  failed?: string;
}

export type RetrainingResult =
  | { outcome: 'promoted'; model: ScoreName; version: number; figure: Figure; champion?: Registered['champion']; decidedBy: string; why: string; drift?: Registered['drift']; scoring?: ScoringOutcome; reverseEtl?: ReverseEtlOutcome }
  | { outcome: 'rejected'; model: ScoreName; version: number; figure: Figure; champion?: Registered['champion']; decidedBy: string; why: string; drift?: Registered['drift'] };

export interface RetrainingProgress {
  step: 'train' | 'register' | 'awaiting approval' | 'score customers' | 'reverse etl' | 'decided';
  registered?: Registered;
}

/** Approve or reject the challenger awaiting a decision; validated (the version must be the one waiting, a name given). */
export const decideUpdate = defineUpdate<RetrainingResult, [{ version: number } & Decision]>('decide');
export const retrainingProgressQuery = defineQuery<RetrainingProgress>('progress');
