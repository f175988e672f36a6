import type { Features, ScoreName } from './models';
import type { Score, Scorer } from './port';

export interface RuleSettings {
  /** Churn risk reaches 1 after this many days quiet. */
  quietDays: number;
  /** A prospect's engagement counts fully from this many events in 30 days. */
  engagedEvents: number;
}

export const RULES_VERSION = 'rules@1';

/**
 * The stand-in for a model that is missing, slow or failing (docs/scores.md): recency, engagement
 * and recent revenue, each in the model's own unit, so a journey's condition reads the same either way.
 *   churn: days quiet / quietDays (never seen: 1), halved when there was an event in the last 7 days;
 *   lead:  events in 30 days / engagedEvents, up to 1;
 *   value: revenue in the last 30 days (the next 30 days are assumed to be like them).
 */
export function ruleScore(model: ScoreName, f: Features, settings: RuleSettings): number {
  if (model === 'value') return Math.max(0, f.revenue_30d ?? 0);
  if (model === 'lead') return Math.min(1, Math.max(0, f.events_30d ?? 0) / settings.engagedEvents);
  const quiet = f.days_since_active === null ? 1 : Math.min(1, Math.max(0, f.days_since_active) / settings.quietDays);
  return (f.events_7d ?? 0) > 0 ? quiet / 2 : quiet;
}

export class RuleScorer implements Scorer {
  readonly name = 'rules';
  constructor(private readonly settings: RuleSettings) {}

  async score(model: ScoreName, features: Features): Promise<Score> {
    return { model, value: ruleScore(model, features, this.settings), source: 'rule', version: RULES_VERSION };
  }
}
