import type { Config } from '../config';
import { WithStandIn } from './fallback';
import { LocalModelScorer } from './local-scorer';
import type { Scorer } from './port';
import type { ModelRegistry } from './registry';
import { RuleScorer } from './rules';
import { VertexScorer } from './vertex';
import { breakerFor } from '../resilience/breakers';

/**
 * The scorer journeys use: the configured source (the registry's champion in this process, or
 * Vertex AI endpoints: WAYMARK_SCORE_SOURCE), with the rules standing in past the budget
 * (WAYMARK_SCORE_BUDGET_MS). close() releases the loaded models or the gRPC channel.
 */
export function journeyScorer(config: Config, registry: ModelRegistry): Scorer & { close(): Promise<void> } {
  const { scoring } = config;
  const primary = scoring.source === 'vertex' ? new VertexScorer(scoring.vertex, scoring.budgetMs, config.circuit.failures > 0 ? breakerFor('vertex', config.circuit) : undefined) : new LocalModelScorer(registry, scoring.refreshMs);
  const scorer = new WithStandIn(primary, new RuleScorer({ quietDays: scoring.ruleQuietDays, engagedEvents: scoring.ruleEngagedEvents }), scoring.budgetMs);
  return { name: scorer.name, score: (model, features) => scorer.score(model, features), close: () => primary.close() };
}
