/**
 * The models journeys can read a score of: churn risk (30 days), lead score (a prospect's first
 * order within 30 days) and customer value (revenue in the next 30 days). Each learns from the
 * warehouse's ml_training rows (warehouse/models/history/ml_training.sql) of its population, and
 * scores a customer from the same features, as of today (ml_features).
 */
export const FEATURES = ['events_7d', 'events_30d', 'orders_30d', 'revenue_30d', 'tickets_30d', 'days_since_active'] as const;
export type FeatureName = (typeof FEATURES)[number];
/** A customer's features; null where unknown (never seen: days_since_active). */
export type Features = Record<FeatureName, number | null>;

export const SCORE_NAMES = ['churn', 'lead', 'value'] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

export interface ModelSpec {
  name: ScoreName;
  kind: 'classification' | 'regression';
  /** Whose rows it learns from (workers/training/data.py). */
  population: 'active' | 'prospects' | 'customers';
  /** The ml_training column it predicts. */
  label: string;
  /** What its value means, for `waymark models` and the docs. */
  means: string;
  /** Whom a promoted model scores (customer_360's lifecycle_stage), and the profile trait it writes. */
  scores: { stages: string[]; trait: string };
  /** The event a customer whose score rises to the threshold (WAYMARK_SCORE_HIGH_THRESHOLD) gets; none for an amount. */
  highEvent?: string;
}

export const MODELS: Record<ScoreName, ModelSpec> = {
  churn: {
    name: 'churn',
    kind: 'classification',
    population: 'active',
    label: 'churned_30d',
    means: 'probability that a paying customer sends no event in the next 30 days',
    scores: { stages: ['active', 'lapsed'], trait: 'churn_score' },
    highEvent: 'churn_risk_high',
  },
  lead: {
    name: 'lead',
    kind: 'classification',
    population: 'prospects',
    label: 'ordered_30d',
    means: 'probability that a prospect places a first order in the next 30 days',
    scores: { stages: ['lead', 'trial'], trait: 'lead_score' },
    highEvent: 'lead_score_high',
  },
  value: {
    name: 'value',
    kind: 'regression',
    population: 'customers',
    label: 'revenue_next_30d',
    means: 'expected revenue from a paying customer in the next 30 days',
    scores: { stages: ['active', 'lapsed', 'churned'], trait: 'value_30d' },
  },
};

export function isScoreName(name: string): name is ScoreName {
  return (SCORE_NAMES as readonly string[]).includes(name);
}
