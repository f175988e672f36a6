import type { Config } from '../config';
import type { Store } from '../store/store';
import { FeatureStore } from './feature-store';
import type { ScoreName } from './models';
import type { Scorer } from './port';
import { ModelRegistry } from './registry';
import { journeyScorer } from './scorer-for';

/** A score as a journey's condition sees it: the value (none when it cannot be had) and where it came from, in words. */
export interface SeenScore {
  value?: number;
  from: string;
}

const DIGITS = 10_000;

/**
 * The scores a journey step asks for, computed when it runs: the customer's features from the
 * store (written by the last batch scoring), scored by the configured source within its budget,
 * the rules standing in. `from` says which model version (or the rules, and why) and the day of
 * the features, so `waymark customer` shows it at the decision.
 */
export class CustomerScores {
  private scorer?: Scorer & { close(): Promise<void> };
  private readonly features: FeatureStore;

  constructor(
    private readonly config: Config,
    private readonly store: Store,
  ) {
    this.features = new FeatureStore(store);
  }

  async forCustomer(customerId: string, models: ScoreName[]): Promise<Record<string, SeenScore>> {
    const stored = await this.features.get(customerId);
    if (!stored) {
      const from = 'no features for this customer yet';
      return Object.fromEntries(models.map((m) => [m, { from }]));
    }
    // Loaded on the first score condition a worker meets: the model (or the Vertex AI channel) only then.
    this.scorer ??= journeyScorer(this.config, new ModelRegistry(this.store));
    const seen: Record<string, SeenScore> = {};
    for (const model of models) {
      const score = await this.scorer.score(model, stored.features);
      const standIn = score.fallback ? `, standing in: ${score.fallback}` : '';
      seen[model] = { value: Math.round(score.value * DIGITS) / DIGITS, from: `${score.source} ${score.version}${standIn}; features of ${stored.asOf}` };
    }
    return seen;
  }

  async close(): Promise<void> {
    await this.scorer?.close();
  }
}
