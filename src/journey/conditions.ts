import type { Condition, Filter, Scalar } from './schema';
import type { ScoreName } from '../scoring/models';

/** What a condition can see. Pure: evaluated inside the interpreter workflow. */
export interface ConditionScope {
  attributes: Record<string, unknown>;
  properties: Record<string, unknown>;
  /** Event types the customer sent since entering, with counts. */
  performed: Record<string, number>;
  /** The scores the step asked for: a value, or none (and why), with where it came from. */
  scores?: Record<string, { value?: number; from: string }>;
}

export function readPath(source: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = source;
  for (const key of dotted.split('.')) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function compare(actual: unknown, op: string, expected: Scalar | Scalar[] | undefined): boolean {
  switch (op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'not_exists':
      return actual === undefined || actual === null;
    case 'eq':
      return actual === expected;
    case 'neq':
      return actual !== expected;
    case 'in':
      return (expected as Scalar[]).includes(actual as Scalar);
    case 'not_in':
      return !(expected as Scalar[]).includes(actual as Scalar);
    case 'contains':
      return Array.isArray(actual) ? actual.includes(expected) : typeof actual === 'string' && actual.includes(String(expected));
  }
  // Ordering: numbers with numbers, strings with strings (ISO dates order as strings).
  if (typeof actual !== typeof expected || (typeof actual !== 'number' && typeof actual !== 'string')) return false;
  const a = actual as number | string;
  const b = expected as number | string;
  return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
}

export function evaluate(condition: Condition, scope: ConditionScope): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, scope));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, scope));
  if ('not' in condition) return !evaluate(condition.not, scope);
  if ('performed' in condition) return (scope.performed[condition.performed] ?? 0) > 0;
  if ('attribute' in condition) return compare(readPath(scope.attributes, condition.attribute), condition.op, condition.value);
  if ('score' in condition) return compare(scope.scores?.[condition.score]?.value, condition.op, condition.value);
  return compare(readPath(scope.properties, condition.property), condition.op, condition.value);
}

/** The scores a condition reads (`score.churn`), each once. */
export function scoresIn(condition: Condition, into: Set<ScoreName> = new Set()): Set<ScoreName> {
  if ('all' in condition) condition.all.forEach((c) => scoresIn(c, into));
  else if ('any' in condition) condition.any.forEach((c) => scoresIn(c, into));
  else if ('not' in condition) scoresIn(condition.not, into);
  else if ('score' in condition) into.add(condition.score);
  return into;
}

/** An event matches when its type is `event` and the optional filter holds on its properties. */
export function matchesEvent(match: { event: string; filter?: Filter }, event: { type: string; properties: Record<string, unknown> }): boolean {
  if (match.event !== event.type) return false;
  return !match.filter || evaluate(match.filter, { attributes: {}, properties: event.properties, performed: {} });
}
