import { FEATURES, type Features, type ScoreName } from '../../src/scoring/models';
import type { Scorer } from '../../src/scoring/port';

const QUIET: Features = { events_7d: 0, events_30d: 1, orders_30d: 0, revenue_30d: 0, tickets_30d: 1, days_since_active: 50 };
const BUSY: Features = { events_7d: 12, events_30d: 45, orders_30d: 2, revenue_30d: 160, tickets_30d: 0, days_since_active: 0 };
const NEVER_SEEN: Features = { events_7d: 0, events_30d: 0, orders_30d: 0, revenue_30d: 0, tickets_30d: 0, days_since_active: null };

/**
 * What every scoring adapter does (src/scoring/port.ts), run against each one:
 * tests/scoring/scorers.test.ts. `source` and `version` are what the adapter must say it is.
 */
export function scorerContract(name: string, make: () => Scorer, expected: { source: string; version: (model: ScoreName) => RegExp }): void {
  describe(`the scoring port: ${name}`, () => {
    it('scores churn and lead as probabilities and value as an amount, saying where the score came from', async () => {
      const scorer = make();
      for (const model of ['churn', 'lead', 'value'] as const) {
        const score = await scorer.score(model, BUSY);
        expect(score).toMatchObject({ model, source: expected.source, version: expect.stringMatching(expected.version(model)) });
        expect(Number.isFinite(score.value)).toBe(true);
        if (model !== 'value') expect(score.value).toBeGreaterThanOrEqual(0);
        if (model !== 'value') expect(score.value).toBeLessThanOrEqual(1);
        expect(score.fallback).toBeUndefined();
      }
    });

    it('rates a customer quiet for weeks at higher churn risk than a busy one, and gives the same score twice', async () => {
      const scorer = make();
      const [quiet, busy, again] = [await scorer.score('churn', QUIET), await scorer.score('churn', BUSY), await scorer.score('churn', QUIET)];
      expect(quiet.value).toBeGreaterThan(busy.value);
      expect(again.value).toBe(quiet.value);
    });

    it('scores a customer with an unknown feature (never seen: days_since_active null)', async () => {
      const score = await make().score('churn', NEVER_SEEN);
      expect(Number.isFinite(score.value)).toBe(true);
    });

    it('takes every feature the models are trained on', () => {
      expect(Object.keys(BUSY).sort()).toEqual([...FEATURES].sort());
    });
  });
}
