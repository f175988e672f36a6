import { evaluate } from '../../src/journey/conditions';
import { explainCondition } from '../../src/journey/explain';
import { validateJourney } from '../../src/journey/validate';
import type { JourneyInput } from '../../src/journey/schema';

/** `score.churn >= 0.7` in a branch: what validation accepts and refuses, and how a decision reads. */

const LIMITS = { maxWaitMs: 365 * 86_400_000 };
const withCondition = (when: unknown): JourneyInput =>
  ({
    id: 'scored',
    name: 'Scored',
    entry: { event: 'signed_up' },
    start: 'check',
    steps: { check: { kind: 'branch', branches: [{ when, next: 'done' }], default: 'done' }, done: { kind: 'exit' } },
  }) as JourneyInput;
const issuesOf = (when: unknown) => {
  const result = validateJourney(withCondition(when), LIMITS);
  return result.ok ? [] : result.issues;
};

describe('score conditions', () => {
  it('accepts the scores that exist with a number, and exists/not_exists', () => {
    for (const when of [{ score: 'churn', op: 'gte', value: 0.7 }, { score: 'lead', op: 'lt', value: 0.2 }, { score: 'value', op: 'gt', value: 100 }, { score: 'churn', op: 'exists' }]) {
      expect(issuesOf(when)).toEqual([]);
    }
  });

  it('refuses a score that does not exist, an operator a number does not take, and a value that is not a number, naming the field', () => {
    expect(issuesOf({ score: 'churm', op: 'gte', value: 0.7 })).toEqual([{ path: 'steps.check.branches.0.when.score', message: 'must be a score: churn, lead, value' }]);
    expect(issuesOf({ score: 'churn', op: 'contains', value: 0.7 })).toEqual([{ path: 'steps.check.branches.0.when.op', message: 'a score takes gt, gte, lt, lte, exists, not_exists' }]);
    expect(issuesOf({ score: 'churn', op: 'gte', value: 'high' })).toEqual([
      { path: 'steps.check.branches.0.when.value', message: 'must be a number (churn and lead scores run from 0 to 1; value is an amount)' },
    ]);
    expect(issuesOf({ score: 'churn', op: 'gte' })).toEqual([{ path: 'steps.check.branches.0.when.value', message: '"gte" needs a single value (string, number or boolean)' }]);
  });

  it('reads the score the step computed, says where it came from, and does not hold on a missing score', () => {
    const when = { score: 'churn' as const, op: 'gte' as const, value: 0.7 };
    const scope = { attributes: {}, properties: {}, performed: {}, scores: { churn: { value: 0.82, from: 'model churn@3; features of 2026-12-01' } } };
    expect(explainCondition(when, scope)).toEqual({ holds: true, text: 'score.churn ≥ 0.7 held (score.churn = 0.82 (model churn@3; features of 2026-12-01))' });
    const missing = { ...scope, scores: { churn: { from: 'no features for this customer yet' } } };
    expect(evaluate(when, missing)).toBe(false);
    expect(evaluate({ not: when }, missing)).toBe(true);
    expect(evaluate({ score: 'churn', op: 'not_exists' }, missing)).toBe(true);
  });

  it('warns of a branch that can never hold on a score, as for attributes', () => {
    const result = validateJourney(withCondition({ all: [{ score: 'churn', op: 'gte', value: 0.7 }, { score: 'churn', op: 'lt', value: 0.5 }] }), LIMITS);
    expect(result.warnings.map((w) => w.message).join('\n')).toContain('can never hold');
  });
});
