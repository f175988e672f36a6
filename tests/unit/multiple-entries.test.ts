import { knownEventTypes } from '../../src/api/known-types';
import { diffJourneys } from '../../src/journey/diff';
import { entriesFor } from '../../src/journey/entries';
import { outline } from '../../src/journey/outline';
import { publishJourney } from '../../src/journey/publish';
import { validateJourney } from '../../src/journey/validate';
import type { JourneyInput, PublishedJourney } from '../../src/journey/schema';
import { makeEvent } from '../support/harness';

/** A journey any of several events starts: churn prevention enters on health_at_risk or churn_risk_high. */

const LIMITS = { maxWaitMs: 365 * 86_400_000 };
const base: JourneyInput = {
  id: 'two-ways-in',
  name: 'Two ways in',
  entry: [{ event: 'health_at_risk', filter: { property: 'score', op: 'lt', value: 40 } }, { event: 'churn_risk_high', filter: { property: 'score', op: 'gte', value: 0.7 } }],
  start: 'check',
  steps: {
    check: { kind: 'branch', branches: [{ when: { performed: 'health_at_risk' }, next: 'done' }], default: 'done' },
    done: { kind: 'exit' },
  },
};
const journey = publishJourney(base, 'multiple-entries.test.ts', LIMITS);
const entering = (j: PublishedJourney, type: string, properties: Record<string, unknown>) => entriesFor([j], makeEvent(type, 'c1', Date.now(), { properties }));

describe('a journey with several entry events', () => {
  it('is entered by any of them whose filter holds, and refused with every filter that did not', () => {
    expect(entering(journey, 'health_at_risk', { score: 12 }).entered.map((e) => e.journeyId)).toEqual(['two-ways-in']);
    expect(entering(journey, 'churn_risk_high', { score: 0.9 }).entered.map((e) => e.journeyId)).toEqual(['two-ways-in']);
    expect(entering(journey, 'churn_risk_high', { score: 0.5 })).toEqual({
      entered: [],
      refused: [{ journeyId: 'two-ways-in', why: 'the entry filter event.score ≥ 0.7 did not hold (event.score = 0.5)' }],
    });
    expect(entering(journey, 'signed_up', {})).toEqual({ entered: [], refused: [] });
  });

  it('lets one unfiltered entry of a type in whatever the other entries of that type say', () => {
    const either = publishJourney({ ...base, entry: [{ event: 'ping', filter: { property: 'n', op: 'gt', value: 5 } }, { event: 'ping' }] }, 'either.json', LIMITS);
    expect(entering(either, 'ping', { n: 1 }).entered).toHaveLength(1);
  });

  it('keeps the version of a journey whose single entry is written without a list', () => {
    const single = publishJourney({ ...base, entry: { event: 'health_at_risk' } }, 'single.json', LIMITS);
    const again = publishJourney({ ...base, entry: { event: 'health_at_risk' } }, 'again.json', LIMITS);
    expect(single.version).toBe(again.version);
    expect(single.definition.entry).toEqual({ event: 'health_at_risk' });
  });

  it('refuses an empty list of entries, naming the field', () => {
    const result = validateJourney({ ...base, entry: [] }, LIMITS);
    expect(result.ok ? [] : result.issues).toEqual([expect.objectContaining({ path: 'entry', message: expect.stringContaining('at least one entry event') })]);
  });

  it('does not call a performed condition on one of several entry events settled: the run may have entered on the other', () => {
    const warnings = validateJourney(base, LIMITS).warnings.map((w) => w.message).join('\n');
    expect(warnings).not.toContain('always performed');
    const single = validateJourney({ ...base, entry: base.entry && (base.entry as unknown[])[0] }, LIMITS).warnings.map((w) => w.message).join('\n');
    expect(single).toContain('"health_at_risk" is the entry event, so it is always performed');
  });

  it('shows each entry in the outline and the diff, and knows each entry type', () => {
    expect(outline(journey.definition, journey.version).split('\n').slice(1, 3)).toEqual(['  entry:    health_at_risk where event.score < 40', '  entry:    churn_risk_high where event.score ≥ 0.7']);
    const single = publishJourney({ ...base, entry: { event: 'health_at_risk', filter: { property: 'score', op: 'lt', value: 40 } } }, 'single.json', LIMITS);
    expect(diffJourneys(single.definition, journey.definition)).toEqual([{ change: 'added', where: 'entry', after: 'churn_risk_high where event.score ≥ 0.7' }]);
    expect([...knownEventTypes({ all: () => [journey] })].sort()).toEqual(['churn_risk_high', 'health_at_risk']);
  });
});
