import { evaluate, matchesEvent, readPath, type ConditionScope } from '../../src/journey/conditions';
import type { Condition } from '../../src/journey/schema';

const scope: ConditionScope = {
  attributes: { plan: 'pro', seats: 5, trial_ends: '2026-12-01', tags: ['beta', 'vip'], bio: 'loves maps', active: true, gone: null, usage: { events: 12 } },
  properties: { score: 0.82, source: 'model-v3' },
  performed: { signed_up: 1, activated: 2 },
};
const check = (c: Condition) => evaluate(c, scope);

describe('readPath', () => {
  it('reads nested fields and only own properties', () => {
    expect(readPath({ a: { b: { c: 3 } } }, 'a.b.c')).toBe(3);
    expect(readPath({ a: { b: 1 } }, 'a.x')).toBeUndefined();
    expect(readPath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(readPath({}, 'toString')).toBeUndefined();
    expect(readPath({ a: null }, 'a.b')).toBeUndefined();
  });
});

describe('evaluate: each operator', () => {
  it.each<[string, Condition, boolean]>([
    ['eq string', { attribute: 'plan', op: 'eq', value: 'pro' }, true],
    ['eq other string', { attribute: 'plan', op: 'eq', value: 'free' }, false],
    ['eq is strict about type', { attribute: 'seats', op: 'eq', value: '5' }, false],
    ['eq boolean', { attribute: 'active', op: 'eq', value: true }, true],
    ['neq', { attribute: 'plan', op: 'neq', value: 'free' }, true],
    ['neq same', { attribute: 'plan', op: 'neq', value: 'pro' }, false],
    ['neq on a missing field', { attribute: 'nope', op: 'neq', value: 'x' }, true],
    ['gt', { attribute: 'seats', op: 'gt', value: 4 }, true],
    ['gt equal', { attribute: 'seats', op: 'gt', value: 5 }, false],
    ['gte equal', { attribute: 'seats', op: 'gte', value: 5 }, true],
    ['gte above', { attribute: 'seats', op: 'gte', value: 6 }, false],
    ['lt', { attribute: 'seats', op: 'lt', value: 6 }, true],
    ['lt equal', { attribute: 'seats', op: 'lt', value: 5 }, false],
    ['lte equal', { attribute: 'seats', op: 'lte', value: 5 }, true],
    ['lte below', { attribute: 'seats', op: 'lte', value: 4 }, false],
    ['gt on ISO date strings', { attribute: 'trial_ends', op: 'gt', value: '2026-11-30' }, true],
    ['lt on ISO date strings', { attribute: 'trial_ends', op: 'lt', value: '2026-11-30' }, false],
    ['ordering never mixes a number with a string', { attribute: 'seats', op: 'gt', value: '1' }, false],
    ['ordering on a missing field is false', { attribute: 'nope', op: 'lt', value: 10 }, false],
    ['ordering on a boolean is false', { attribute: 'active', op: 'gte', value: 0 }, false],
    ['nested field', { attribute: 'usage.events', op: 'gte', value: 10 }, true],
    ['in', { attribute: 'plan', op: 'in', value: ['pro', 'enterprise'] }, true],
    ['in, not listed', { attribute: 'plan', op: 'in', value: ['free'] }, false],
    ['in is strict about type', { attribute: 'seats', op: 'in', value: ['5'] }, false],
    ['not_in', { attribute: 'plan', op: 'not_in', value: ['free'] }, true],
    ['not_in, listed', { attribute: 'plan', op: 'not_in', value: ['free', 'pro'] }, false],
    ['contains in a list', { attribute: 'tags', op: 'contains', value: 'vip' }, true],
    ['contains, not in the list', { attribute: 'tags', op: 'contains', value: 'vi' }, false],
    ['contains in a string', { attribute: 'bio', op: 'contains', value: 'maps' }, true],
    ['contains, not in the string', { attribute: 'bio', op: 'contains', value: 'cats' }, false],
    ['contains on a number is false', { attribute: 'seats', op: 'contains', value: 5 }, false],
    ['exists', { attribute: 'plan', op: 'exists' }, true],
    ['exists on null', { attribute: 'gone', op: 'exists' }, false],
    ['exists on missing', { attribute: 'nope', op: 'exists' }, false],
    ['not_exists on null', { attribute: 'gone', op: 'not_exists' }, true],
    ['not_exists on missing', { attribute: 'nope', op: 'not_exists' }, true],
    ['not_exists on present', { attribute: 'plan', op: 'not_exists' }, false],
    ['property test reads the event', { property: 'score', op: 'gte', value: 0.7 }, true],
    ['property test does not read attributes', { property: 'plan', op: 'exists' }, false],
    ['attribute test does not read the event', { attribute: 'score', op: 'exists' }, false],
  ])('%s', (_name, condition, expected) => {
    expect(check(condition)).toBe(expected);
  });
});

describe('evaluate: performed and composition', () => {
  it('performed is true once the event type was seen', () => {
    expect(check({ performed: 'activated' })).toBe(true);
    expect(check({ performed: 'purchased' })).toBe(false);
    expect(evaluate({ performed: 'x' }, { ...scope, performed: { x: 0 } })).toBe(false);
  });

  it('all, any and not combine', () => {
    const yes: Condition = { attribute: 'plan', op: 'eq', value: 'pro' };
    const no: Condition = { attribute: 'plan', op: 'eq', value: 'free' };
    expect(check({ all: [yes, yes] })).toBe(true);
    expect(check({ all: [yes, no] })).toBe(false);
    expect(check({ any: [no, yes] })).toBe(true);
    expect(check({ any: [no, no] })).toBe(false);
    expect(check({ not: no })).toBe(true);
    expect(check({ not: { all: [yes, { not: no }] } })).toBe(false);
  });
});

describe('matchesEvent', () => {
  const churnEntry = { event: 'churn_risk_detected', filter: { property: 'score', op: 'gte', value: 0.7 } as const };
  it('needs the type and the filter', () => {
    expect(matchesEvent(churnEntry, { type: 'churn_risk_detected', properties: { score: 0.7 } })).toBe(true);
    expect(matchesEvent(churnEntry, { type: 'churn_risk_detected', properties: { score: 0.69 } })).toBe(false);
    expect(matchesEvent(churnEntry, { type: 'churn_risk_detected', properties: {} })).toBe(false);
    expect(matchesEvent(churnEntry, { type: 'other', properties: { score: 0.9 } })).toBe(false);
  });

  it('matches on type alone without a filter', () => {
    expect(matchesEvent({ event: 'activated' }, { type: 'activated', properties: {} })).toBe(true);
    expect(matchesEvent({ event: 'activated' }, { type: 'Activated', properties: {} })).toBe(false);
  });
});
