import type { Features, ScoreName } from './models';

/** Where a score came from: the registry's model in this process, a Vertex AI endpoint, or the rule stand-in. */
export type ScoreSource = 'model' | 'vertex' | 'rule';

export interface Score {
  model: ScoreName;
  value: number;
  source: ScoreSource;
  /** The model version that answered (`churn@3`, `vertex:<endpoint>`, `rules@1`). */
  version: string;
  /** Why the stand-in answered instead of the model (missing, slow, failing); absent when the model answered. */
  fallback?: string;
}

/** The scoring port: every adapter passes tests/scoring/contract.test.ts. */
export interface Scorer {
  readonly name: string;
  /** A score for one customer's features; fails (ScoringError) when this adapter cannot answer. */
  score(model: ScoreName, features: Features): Promise<Score>;
}

/** This adapter cannot answer now: no model published, the endpoint refused or timed out. */
export class ScoringError extends Error {
  readonly code = 'SCORING_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScoringError';
  }
}
