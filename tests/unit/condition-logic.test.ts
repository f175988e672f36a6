import { evaluate, type ConditionScope } from '../../src/journey/conditions';
import { Prover } from '../../src/journey/logic';
import type { Condition } from '../../src/journey/schema';

/**
 * The proofs behind validation's dead-path warnings must never be wrong: whatever `implies`,
 * `excludes` and `settled` claim is checked here against `evaluate` (what a run does) on every
 * combination of a set of field values chosen around the constants the conditions use.
 */

const PLAN_VALUES: unknown[] = [undefined, null, 'pro', 'team', 'free', 'm', 'a', 'z', '', 0, 5, 7, 10, 11, -1, true, ['pro'], 'pro-plus'];
const SEAT_VALUES: unknown[] = [undefined, 5, 10, 'pro'];

const scopes: ConditionScope[] = PLAN_VALUES.flatMap((plan) =>
  SEAT_VALUES.flatMap((seats) =>
    [0, 1].map((activated) => {
      const attributes: Record<string, unknown> = {};
      if (plan !== undefined) attributes.plan = plan;
      if (seats !== undefined) attributes.seats = seats;
      return { attributes, properties: { plan: attributes.plan }, performed: { activated } };
    }),
  ),
);

const atoms: Condition[] = [
  ...(['eq', 'neq'] as const).flatMap((op) => ['pro', 'team', 5, 10].map((value) => ({ attribute: 'plan', op, value }))),
  ...(['in', 'not_in'] as const).flatMap((op) => [['pro', 'team'], ['pro'], [5, 10]].map((value) => ({ attribute: 'plan', op, value }))),
  { attribute: 'plan', op: 'exists' },
  { attribute: 'plan', op: 'not_exists' },
  ...(['gt', 'gte', 'lt', 'lte'] as const).flatMap((op) => [5, 10, 'm'].map((value) => ({ attribute: 'plan', op, value }))),
  { attribute: 'plan', op: 'contains', value: 'pro' },
  { attribute: 'seats', op: 'gte', value: 10 },
  { attribute: 'seats', op: 'eq', value: 5 },
  { property: 'plan', op: 'eq', value: 'pro' },
  { performed: 'activated' },
];

const conditions: Condition[] = [
  ...atoms,
  ...atoms.map((a) => ({ not: a })),
  ...atoms.slice(0, 7).flatMap((a, i) => atoms.filter((_, j) => j % 3 === i % 3).flatMap((b) => [{ all: [a, b] }, { any: [a, b] }])),
  { not: { any: [atoms[0]!, atoms[1]!] } },
  { all: [{ any: [atoms[0]!, atoms[20]!] }, { not: atoms[0]! }] },
];

const show = (c: Condition) => JSON.stringify(c);
const prover = new Prover();
const implies = (a: Condition, b: Condition) => prover.implies(a, b);
const excludes = (a: Condition, b: Condition) => prover.excludes(a, b);

describe('condition logic (checked against evaluate)', () => {
  it('has enough cases to mean something', () => {
    expect(conditions.length).toBeGreaterThan(140);
    expect(scopes.length).toBeGreaterThan(100);
  });

  it('claims "implies" only when every scope where the first holds makes the second hold too', () => {
    let proved = 0;
    for (const a of conditions) {
      for (const b of conditions) {
        if (!implies(a, b)) continue;
        proved++;
        const counter = scopes.find((s) => evaluate(a, s) && !evaluate(b, s));
        if (counter) throw new Error(`implies(${show(a)}, ${show(b)}) is wrong for ${JSON.stringify(counter)}`);
      }
    }
    expect(proved).toBeGreaterThan(conditions.length); // more than a ⇒ a alone
  });

  it('claims "excludes" only when no scope makes both hold', () => {
    let proved = 0;
    for (const a of conditions) {
      for (const b of conditions) {
        if (!excludes(a, b)) continue;
        proved++;
        const counter = scopes.find((s) => evaluate(a, s) && evaluate(b, s));
        if (counter) throw new Error(`excludes(${show(a)}, ${show(b)}) is wrong for ${JSON.stringify(counter)}`);
      }
    }
    expect(proved).toBeGreaterThan(50);
  });

  it('settles a condition only when every scope agrees, with the facts about performed events', () => {
    const always = { always: new Set(['activated']), never: new Set<string>() };
    const never = { always: new Set<string>(), never: new Set(['activated']) };
    for (const [facts, activated] of [[always, 1], [never, 0]] as const) {
      for (const c of conditions) {
        const verdict = prover.settled(c, facts);
        if (verdict === undefined) continue;
        const counter = scopes.find((s) => s.performed.activated === activated && evaluate(c, s) !== verdict);
        if (counter) throw new Error(`settled(${show(c)}) = ${verdict} is wrong for ${JSON.stringify(counter)}`);
      }
    }
  });

  it('stays within its budget on a huge condition, answering "not proved" past it', () => {
    const nest = (depth: number, leaf: Condition): Condition =>
      depth === 0 ? leaf : depth % 2 ? { any: [nest(depth - 1, leaf), atoms[depth % atoms.length]!, nest(depth - 1, atoms[0]!)] } : { all: [nest(depth - 1, leaf), { not: nest(depth - 1, atoms[3]!) }] };
    const [huge, other] = [nest(14, atoms[1]!), nest(14, atoms[2]!)]; // 2^14 nested members each
    // No clock here (a loaded machine makes any time limit lie): the budget shows in the answers.
    const bounded = new Prover(10_000);
    expect(bounded.implies(huge, other)).toBe(false);
    expect(bounded.excludes(huge, other)).toBe(false);
    expect(bounded.implies(huge, huge)).toBe(false); // true, but the budget is spent: not proved
    expect(new Prover(10_000).implies(huge, huge)).toBe(true); // a fresh budget proves it at once
  });

  it('proves the cases validation relies on', () => {
    const plan = (op: string, value?: unknown) => ({ attribute: 'plan', op, value }) as Condition;
    expect(implies(plan('eq', 'pro'), plan('in', ['pro', 'team']))).toBe(true);
    expect(implies(plan('gt', 80), plan('gte', 50))).toBe(true);
    expect(implies(plan('gte', 50), plan('gt', 80))).toBe(false);
    expect(implies(plan('in', ['pro', 'team']), { any: [plan('eq', 'team'), plan('eq', 'pro')] })).toBe(true);
    expect(excludes(plan('eq', 'a'), plan('eq', 'b'))).toBe(true);
    expect(excludes(plan('gt', 10), plan('lte', 10))).toBe(true);
    expect(excludes(plan('gt', 10), plan('gte', 10))).toBe(false);
    const none = { not: { any: [plan('eq', 'pro'), plan('neq', 'pro')] } };
    expect(excludes(none, none)).toBe(true); // nothing is left for a default
  });
});
