import type { Condition, Scalar } from './schema';
import { evaluate } from './conditions';
import { canonicalJson } from './canonical-json';

/**
 * What can be proved about conditions without running them, for validation's dead-path
 * warnings. Sound, not complete: `implies` and `excludes` say true only when that holds for
 * every customer and event, so a warning is never wrong; false means "not proved".
 */

type Comparison = Extract<Condition, { op: string }>;

const isComparison = (c: Condition): c is Comparison => 'op' in c;
const fieldOf = (c: Comparison) => ('attribute' in c ? `attribute ${c.attribute}` : 'score' in c ? `score ${c.score}` : `property ${c.property}`);

/** Negations that are exact swaps; the others (ranges, contains) stay under `not`. */
const OPPOSITE: Partial<Record<Comparison['op'], Comparison['op']>> = {
  eq: 'neq', neq: 'eq', in: 'not_in', not_in: 'in', exists: 'not_exists', not_exists: 'exists',
};

const normalized = new WeakMap<Condition, Condition>();

/** Pushes `not` inward (De Morgan, exact operator swaps), so the rules below meet fewer shapes. */
function normalize(c: Condition): Condition {
  let done = normalized.get(c);
  if (!done) normalized.set(c, (done = pushNot(c)));
  return done;
}

function pushNot(c: Condition): Condition {
  if ('all' in c) return { all: c.all.map(normalize) };
  if ('any' in c) return { any: c.any.map(normalize) };
  if (!('not' in c)) return c;
  const inner = c.not;
  if ('not' in inner) return normalize(inner.not);
  if ('all' in inner) return { any: inner.all.map((x) => normalize({ not: x })) };
  if ('any' in inner) return { all: inner.any.map((x) => normalize({ not: x })) };
  if (isComparison(inner) && OPPOSITE[inner.op]) return { ...inner, op: OPPOSITE[inner.op]! } as Comparison;
  return c;
}

const keys = new WeakMap<Condition, string>();

/** The same key for conditions that differ only in member or list order. */
function conditionKey(c: Condition): string {
  let key = keys.get(c);
  if (key === undefined) keys.set(c, (key = computeKey(c)));
  return key;
}

function computeKey(c: Condition): string {
  if ('all' in c) return `all(${c.all.map(conditionKey).sort().join(',')})`;
  if ('any' in c) return `any(${c.any.map(conditionKey).sort().join(',')})`;
  if ('not' in c) return `not(${conditionKey(c.not)})`;
  if (isComparison(c) && Array.isArray(c.value)) return canonicalJson({ ...c, value: c.value.map((v) => canonicalJson(v)).sort() });
  return canonicalJson(c);
}

/** The values of the field that make `c` hold, when they are few (undefined stands for "missing"). */
function finiteValues(c: Comparison): unknown[] | undefined {
  if (c.op === 'eq') return [c.value];
  if (c.op === 'in') return c.value as Scalar[];
  if (c.op === 'not_exists') return [undefined, null];
  return undefined;
}

/** The values of the field that make `c` fail, when `c` holds for all the others. */
function excludedValues(c: Comparison): unknown[] | undefined {
  if (c.op === 'neq') return [c.value];
  if (c.op === 'not_in') return c.value as Scalar[];
  if (c.op === 'exists') return [undefined, null];
  return undefined;
}

interface Range {
  type: 'number' | 'string';
  low?: { value: number | string; inclusive: boolean };
  high?: { value: number | string; inclusive: boolean };
}

function rangeOf(c: Comparison): Range | undefined {
  const v = c.value;
  if (typeof v !== 'number' && typeof v !== 'string') return undefined;
  const type = typeof v as Range['type'];
  if (c.op === 'gt' || c.op === 'gte') return { type, low: { value: v, inclusive: c.op === 'gte' } };
  if (c.op === 'lt' || c.op === 'lte') return { type, high: { value: v, inclusive: c.op === 'lte' } };
  return undefined;
}

/** Whether bound `a` is at least as tight as `b` on its side (`low`: a ≥ b; `high`: a ≤ b). */
function tighter(side: 'low' | 'high', a: Range['low'], b: Range['low']): boolean {
  if (!b) return true;
  if (!a) return false;
  if (a.value === b.value) return b.inclusive || !a.inclusive;
  return side === 'low' ? a.value > b.value : a.value < b.value;
}

/** Whether `c` holds when the field of `on` has `value` (undefined: missing) and nothing else is known. */
function holdsWith(c: Condition, on: Comparison, value: unknown): boolean {
  if ('score' in on) return evaluate(c, { attributes: {}, properties: {}, performed: {}, scores: { [on.score]: { value: value as number | undefined, from: '' } } });
  const path = 'attribute' in on ? on.attribute : on.property;
  const record: Record<string, unknown> = {};
  if (value !== undefined) {
    const keys = path.split('.');
    let node = record;
    for (const key of keys.slice(0, -1)) node = node[key] = {} as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  }
  return evaluate(c, { attributes: record, properties: record, performed: {} });
}

/** The one field every test in `c` is on, or undefined when it tests several fields or a performed event. */
const soleFields = new WeakMap<Condition, string | null>();
function soleField(c: Condition): string | undefined {
  let field = soleFields.get(c);
  if (field === undefined) {
    const members = 'all' in c ? c.all : 'any' in c ? c.any : 'not' in c ? [c.not] : undefined;
    const fields = members ? new Set(members.map(soleField)) : new Set([isComparison(c) ? fieldOf(c) : undefined]);
    const [only] = fields;
    soleFields.set(c, (field = fields.size === 1 && only !== undefined ? only : null));
  }
  return field ?? undefined;
}

const sizes = new WeakMap<Condition, number>();
function size(c: Condition): number {
  let n = sizes.get(c);
  if (n === undefined) {
    const members = 'all' in c ? c.all : 'any' in c ? c.any : 'not' in c ? [c.not] : [];
    sizes.set(c, (n = 1 + members.reduce((sum, m) => sum + size(m), 0)));
  }
  return n;
}

function comparisonImplies(a: Comparison, b: Comparison): boolean {
  const [aOut, bOut] = [excludedValues(a), excludedValues(b)];
  if (aOut && bOut) return bOut.every((v) => aOut.includes(v));
  const range = rangeOf(a);
  if (!range) return false;
  if (b.op === 'exists') return true; // a range holds only on a number or a string
  if (bOut) return bOut.every((v) => !holdsWith(a, a, v));
  const other = rangeOf(b);
  return !!other && other.type === range.type && tighter('low', range.low, other.low) && tighter('high', range.high, other.high);
}

function comparisonExcludes(a: Comparison, b: Comparison): boolean {
  const [ra, rb] = [rangeOf(a), rangeOf(b)];
  if (!ra || !rb) return false;
  if (ra.type !== rb.type) return true; // a value is a number or a string, not both
  const merged = { type: ra.type, low: tighter('low', ra.low, rb.low) ? ra.low : rb.low, high: tighter('high', ra.high, rb.high) ? ra.high : rb.high };
  if (!merged.low || !merged.high) return false;
  return merged.low.value > merged.high.value || (merged.low.value === merged.high.value && !(merged.low.inclusive && merged.high.inclusive));
}

const sameField = (a: Condition, b: Condition): [Comparison, Comparison] | undefined =>
  isComparison(a) && isComparison(b) && fieldOf(a) === fieldOf(b) ? [a, b] : undefined;

type Table = Map<Condition, Map<Condition, boolean>>;

/**
 * Proves things about conditions, within a budget of steps: answers are remembered by pair of
 * (normalized) conditions, so nesting costs no exponential time, and the budget bounds the rest
 * (a large condition). Out of budget, it answers "not proved", which only means fewer warnings.
 */
export class Prover {
  private readonly implied: Table = new Map();
  private readonly excluded: Table = new Map();

  /** `steps`: WAYMARK_JOURNEY_PROOF_STEPS, for one journey; without it, no bound. */
  constructor(private steps = Infinity) {}

  /** Proved: whenever `a` holds, `b` holds. */
  implies(a: Condition, b: Condition): boolean {
    return this.impl(normalize(a), normalize(b));
  }

  /** Proved: `a` and `b` never hold together. */
  excludes(a: Condition, b: Condition): boolean {
    return this.excl(normalize(a), normalize(b));
  }

  /** true or false when the facts settle `c` for every customer, else undefined. */
  settled(c: Condition, facts: PerformedFacts): boolean | undefined {
    if ('performed' in c) return facts.always.has(c.performed) ? true : facts.never.has(c.performed) ? false : undefined;
    if ('not' in c) {
      const inner = this.settled(c.not, facts);
      return inner === undefined ? undefined : !inner;
    }
    if ('all' in c) {
      const each = c.all.map((m) => this.settled(m, facts));
      if (each.includes(false) || c.all.some((m, i) => c.all.slice(i + 1).some((n) => this.excludes(m, n)))) return false;
      return each.every((v) => v === true) ? true : undefined;
    }
    if ('any' in c) {
      const each = c.any.map((m) => this.settled(m, facts));
      if (each.includes(true)) return true;
      return each.every((v) => v === false) ? false : undefined;
    }
    return undefined;
  }

  /** Spends `cost` steps; false once the budget is spent. */
  private spend(cost: number): boolean {
    this.steps -= cost;
    return this.steps >= 0;
  }

  private remember(table: Table, a: Condition, b: Condition, work: () => boolean): boolean {
    let row = table.get(a);
    if (!row) table.set(a, (row = new Map()));
    let answer = row.get(b);
    // Every rule recurses on a smaller pair, so there are no cycles to guard against.
    if (answer === undefined) row.set(b, (answer = this.spend(1) && work()));
    return answer;
  }

  /** For `a` a test that holds on a few values only: whether `b`, on the same field, holds (or fails) on each. */
  private onEveryValue(a: Condition, b: Condition, expected: boolean): boolean {
    const values = isComparison(a) ? finiteValues(a) : undefined;
    if (!values || soleField(b) !== fieldOf(a as Comparison) || !this.spend(values.length * size(b))) return false;
    return values.every((v) => holdsWith(b, a as Comparison, v) === expected);
  }

  private impl(a: Condition, b: Condition): boolean {
    return this.remember(this.implied, a, b, () => {
      if (conditionKey(a) === conditionKey(b) || this.onEveryValue(a, b, true)) return true;
      if ('any' in a && a.any.every((m) => this.impl(m, b))) return true;
      if ('all' in a && a.all.some((m) => this.impl(m, b))) return true;
      if ('all' in b && b.all.every((m) => this.impl(a, m))) return true;
      if ('any' in b && b.any.some((m) => this.impl(a, m))) return true;
      if ('not' in b && this.excl(a, b.not)) return true;
      if ('not' in a && 'not' in b) return this.impl(b.not, a.not);
      const pair = sameField(a, b);
      return !!pair && comparisonImplies(...pair);
    });
  }

  private excl(a: Condition, b: Condition): boolean {
    return this.remember(this.excluded, a, b, () => {
      if (this.onEveryValue(a, b, false) || this.onEveryValue(b, a, false)) return true;
      if ('any' in a && a.any.every((m) => this.excl(m, b))) return true;
      if ('any' in b && b.any.every((m) => this.excl(a, m))) return true;
      if ('all' in a && a.all.some((m) => this.excl(m, b))) return true;
      if ('all' in b && b.all.some((m) => this.excl(a, m))) return true;
      if ('not' in a && this.impl(b, a.not)) return true;
      if ('not' in b && this.impl(a, b.not)) return true;
      const pair = sameField(a, b);
      return !!pair && comparisonExcludes(...pair);
    });
  }
}

/** Event types known to be performed in every run (the entry), or in none that goes on (goals, exits). */
export interface PerformedFacts {
  always: ReadonlySet<string>;
  never: ReadonlySet<string>;
}
