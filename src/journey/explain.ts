import type { Condition, Scalar } from './schema';
import { evaluate, readPath, type ConditionScope } from './conditions';

/**
 * Conditions in words, with the values a run actually saw, so a path entry or a routing
 * decision says why: `plan in [pro, enterprise] (plan = "free")`. Pure: workflow code uses it.
 */

const MAX_VALUE_CHARS = 60;

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

const OP_WORDS: Record<string, string> = { eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in', not_in: 'not in', contains: 'contains' };

function operand(value: Scalar | Scalar[] | undefined): string {
  return Array.isArray(value) ? `[${value.map((v) => (typeof v === 'string' ? v : String(v))).join(', ')}]` : show(value);
}

/** The condition alone, e.g. `all(plan in [pro], performed activated)`. */
export function describeCondition(condition: Condition): string {
  if ('all' in condition) return `all(${condition.all.map(describeCondition).join(', ')})`;
  if ('any' in condition) return `any(${condition.any.map(describeCondition).join(', ')})`;
  if ('not' in condition) return `not(${describeCondition(condition.not)})`;
  if ('performed' in condition) return `performed ${condition.performed}`;
  const field = 'attribute' in condition ? condition.attribute : 'score' in condition ? `score.${condition.score}` : `event.${condition.property}`;
  if (condition.op === 'exists' || condition.op === 'not_exists') return `${field} ${condition.op.replace('_', ' ')}`;
  return `${field} ${OP_WORDS[condition.op] ?? condition.op} ${operand(condition.value)}`;
}

/** The values a condition looked at, as `field = value`, each once. */
export function valuesSeen(condition: Condition, scope: ConditionScope, into: Map<string, string> = new Map()): Map<string, string> {
  if ('all' in condition) condition.all.forEach((c) => valuesSeen(c, scope, into));
  else if ('any' in condition) condition.any.forEach((c) => valuesSeen(c, scope, into));
  else if ('not' in condition) valuesSeen(condition.not, scope, into);
  else if ('performed' in condition) into.set(`performed ${condition.performed}`, `${scope.performed[condition.performed] ?? 0}x`);
  else if ('attribute' in condition) into.set(condition.attribute, show(readPath(scope.attributes, condition.attribute)));
  else if ('score' in condition) {
    const score = scope.scores?.[condition.score];
    into.set(`score.${condition.score}`, `${show(score?.value)}${score ? ` (${score.from})` : ''}`);
  }
  else into.set(`event.${condition.property}`, show(readPath(scope.properties, condition.property)));
  return into;
}

/** Whether it holds, and a sentence saying so with the values seen. */
export function explainCondition(condition: Condition, scope: ConditionScope): { holds: boolean; text: string } {
  const holds = evaluate(condition, scope);
  const seen = [...valuesSeen(condition, scope)].map(([k, v]) => (k.startsWith('performed ') ? `${k} ${v}` : `${k} = ${v}`)).join(', ');
  return { holds, text: `${describeCondition(condition)} ${holds ? 'held' : 'did not hold'} (${seen})` };
}
