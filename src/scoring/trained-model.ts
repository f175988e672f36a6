import type { FeatureName, ModelSpec, ScoreName } from './models';

/** What the Python trainer returns (workers/training/train.py): a challenger, with what it learnt from and how it did. */
export interface TrainedModel {
  model: ScoreName;
  kind: ModelSpec['kind'];
  features: FeatureName[];
  library: string;
  params: Record<string, number>;
  /** The ONNX model, base64. */
  onnx: string;
  trainingWindow: { from: string; to: string };
  testWindow: { from: string; to: string };
  rows: { training: number; heldOut: number };
  dataHash: string;
  /** Classification: auc, precision, recall (at threshold), brier, positiveRate, calibration; regression: mae, rmse, r2. */
  metrics: Record<string, unknown>;
  /** The same figures per segment (fairness). */
  segments: Array<Record<string, unknown>>;
  /** Each feature's training distribution (missing share, mean, deciles, the share in each decile bin): what drift is measured against. */
  featureStats: Record<string, FeatureStats>;
  /** Each feature's population stability index against the champion's training rows (absent: no champion). */
  drift?: Drift;
  /** Held-out rows and the trainer's prediction for each: the registry checks the ONNX runtime gives the same. */
  probes: Array<{ features: Array<number | null>; expected: number }>;
}

export interface FeatureStats {
  missing: number;
  mean: number | null;
  deciles: number[];
  shares: number[];
}

export interface Drift {
  /** The champion version the rows are compared with. */
  against: number;
  threshold: number;
  features: Record<string, { psi: number; large: boolean }>;
}

/** What the trainer is asked for (the input of the Python activity trainModel). */
export interface TrainRequest {
  model: ScoreName;
  kind: ModelSpec['kind'];
  population: ModelSpec['population'];
  label: string;
  features: readonly FeatureName[];
  target: unknown;
  table: string;
  testDays: number;
  threshold: number;
  minRows: number;
  params: { trees: number; leaves: number; learningRate: number; minChildSamples: number };
  seed: number;
  probes: number;
  maxModelBytes: number;
  /** The champion's training distribution and version: drift is measured against them. */
  baseline?: Record<string, FeatureStats>;
  baselineVersion?: number;
  driftThreshold: number;
}

/** The figure a challenger must beat the champion on: held-out AUC for a classifier, R² for a regression. */
export function headlineFigure(kind: ModelSpec['kind'], metrics: Record<string, unknown>): { name: string; value: number } {
  const name = kind === 'classification' ? 'auc' : 'r2';
  return { name, value: typeof metrics[name] === 'number' ? (metrics[name] as number) : Number.NaN };
}
