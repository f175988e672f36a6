import { canonicalJson } from './canonical-json';
import { entryMatches } from './entry-matches';
import { describeCondition } from './explain';
import { flowOrder } from './graph';
import type { Condition, EventMatch, Journey, Step } from './schema';

/** One difference between two journey definitions, in words a designer reads. */
export interface Difference {
  /** `added`/`removed`: only one side has it (a step, a field, a goal, a branch); `changed`: both have it, unlike. */
  change: 'added' | 'removed' | 'changed';
  /** Where: `name`, `entry`, `goals`, `steps.nudge`, `steps.nudge.template`, `steps.check.branches`. */
  where: string;
  before?: string;
  after?: string;
}

const matchText = (m: EventMatch) => (m.filter ? `${m.event} where ${describeCondition(m.filter)}` : m.event);

/** Fields whose value is a list of items each shown on its own, so one added branch or goal reads as one line. */
const LIST_FIELDS = new Set(['branches', 'paths']);

/** A step field's value as text: conditions in words, lists item by item. */
function fieldText(name: string, value: unknown): string | string[] {
  if (name === 'filter') return describeCondition(value as Condition);
  if (name === 'branches') return (value as Array<{ when: Condition; next: string }>).map((b) => `if ${describeCondition(b.when)} -> ${b.next}`);
  if (name === 'paths') {
    return (value as Array<{ name: string; weight: number; holdout?: boolean; next: string }>).map((p) => `${p.name} weight ${p.weight}${p.holdout ? ' (holdout)' : ''} -> ${p.next}`);
  }
  if (name === 'until') {
    const until = value as { time: string; weekdays?: string[] };
    return `${until.time} local${until.weekdays ? ` on ${until.weekdays.join(', ')}` : ''}`;
  }
  return typeof value === 'string' ? value : canonicalJson(value);
}

/** Step fields in the order a designer writes them: what the step does, then where it leads (a stored definition's key order is the database's). */
const FIELD_ORDER = ['channel', 'template', 'duration', 'until', 'event', 'filter', 'timeout', 'attribute', 'value', 'branches', 'paths', 'onEvent', 'onTimeout', 'default', 'next'];
const byFieldOrder = (a: string, b: string) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b);

/** A whole step on one line: its kind, then each field. */
function stepText(step: Step): string {
  const fields = Object.entries(step)
    .filter(([name]) => name !== 'kind')
    .sort(([a], [b]) => byFieldOrder(a, b));
  const shown = fields.map(([name, value]) => {
    const text = fieldText(name, value);
    return `${name} ${Array.isArray(text) ? `[${text.join('; ')}]` : text}`;
  });
  return [step.kind, ...shown].join(', ');
}

/** Items only one list has (counting repeats); when both hold the same items in another order, that order change. */
function listDiff(where: string, before: string[], after: string[]): Difference[] {
  const left = [...after];
  const removed: string[] = [];
  for (const item of before) {
    const at = left.indexOf(item);
    if (at < 0) removed.push(item);
    else left.splice(at, 1);
  }
  const out: Difference[] = [...removed.map((b): Difference => ({ change: 'removed', where, before: b })), ...left.map((a): Difference => ({ change: 'added', where, after: a }))];
  if (!out.length && before.join('\n') !== after.join('\n')) out.push({ change: 'changed', where: `${where} (order)`, before: before.join('; '), after: after.join('; ') });
  return out;
}

function valueDiff(where: string, before: string | undefined, after: string | undefined): Difference[] {
  if (before === after) return [];
  if (before === undefined) return [{ change: 'added', where, after }];
  if (after === undefined) return [{ change: 'removed', where, before }];
  return [{ change: 'changed', where, before, after }];
}

function stepDiff(id: string, before: Step, after: Step): Difference[] {
  const where = `steps.${id}`;
  if (canonicalJson(before) === canonicalJson(after)) return [];
  if (before.kind !== after.kind) return [{ change: 'changed', where, before: stepText(before), after: stepText(after) }];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((n) => n !== 'kind').sort(byFieldOrder);
  return names.flatMap((name) => {
    if (canonicalJson(b[name]) === canonicalJson(a[name])) return [];
    const bt = b[name] === undefined ? undefined : fieldText(name, b[name]);
    const at = a[name] === undefined ? undefined : fieldText(name, a[name]);
    if (LIST_FIELDS.has(name) && Array.isArray(bt) && Array.isArray(at)) return listDiff(`${where}.${name}`, bt, at);
    const flat = (t: string | string[] | undefined) => (Array.isArray(t) ? `[${t.join('; ')}]` : t);
    return valueDiff(`${where}.${name}`, flat(bt), flat(at));
  });
}

/** One entry each side: changed in place; otherwise entries added and removed. */
function entryDiff(before: string[], after: string[]): Difference[] {
  return before.length === 1 && after.length === 1 ? valueDiff('entry', before[0], after[0]) : listDiff('entry', before, after);
}

/**
 * What changed from `before` to `after`: the journey's own fields, its goals and exits item by
 * item, then each step added, removed or changed (field by field; a step whose kind changed is
 * shown whole on both sides). Steps are listed in `before`'s flow order, then the new ones in `after`'s.
 */
export function diffJourneys(before: Journey, after: Journey): Difference[] {
  const reentry = (j: Journey) => `${j.reentry.policy}${j.reentry.cooldown ? `, cooldown ${j.reentry.cooldown}` : ''}`;
  const goal = (g: Journey['goals'][number]) => `${matchText(g)}${g.name ? ` ("${g.name}")` : ''}`;
  const out: Difference[] = [
    ...valueDiff('id', before.id, after.id),
    ...valueDiff('name', before.name, after.name),
    ...valueDiff('description', before.description, after.description),
    ...entryDiff(entryMatches(before).map(matchText), entryMatches(after).map(matchText)),
    ...valueDiff('re-entry', reentry(before), reentry(after)),
    ...listDiff('goals', before.goals.map(goal), after.goals.map(goal)),
    ...listDiff('exits', before.exits.map(matchText), after.exits.map(matchText)),
    ...valueDiff('start', before.start, after.start),
  ];
  const ids = [...new Set([...flowOrder(before), ...flowOrder(after)])];
  for (const id of ids) {
    const [b, a] = [before.steps[id], after.steps[id]];
    if (b && a) out.push(...stepDiff(id, b, a));
    else out.push(...valueDiff(`steps.${id}`, b && stepText(b), a && stepText(a)));
  }
  return out;
}

const MARK: Record<Difference['change'], string> = { added: '+', removed: '-', changed: '~' };

/** One line per difference: `+ steps.nudge: send, ...`, `- goals: purchased`, `~ steps.hello.template: welcome -> welcome-v2`. */
export function formatDiff(differences: Difference[]): string {
  if (!differences.length) return '  (the definitions are the same)';
  return differences
    .map((d) => {
      const value = d.change === 'changed' ? `${d.before} -> ${d.after}` : (d.after ?? d.before);
      return `  ${MARK[d.change]} ${d.where}: ${value}`;
    })
    .join('\n');
}
