import type { EventMatch, Journey, Step } from './schema';
import { entryMatches } from './entry-matches';
import { links } from './graph';
import { describeCondition } from './explain';

/** `activated`, or `activated where event.role ≠ "guest"`. */
function describeMatch(match: EventMatch): string {
  return match.filter ? `${match.event} where ${describeCondition(match.filter)}` : match.event;
}

/** What a step does, and where it goes: one line, or a head line and one line per way out. */
function describe(step: Step): { head: string; ways: Array<[string, string]> } {
  switch (step.kind) {
    case 'send':
      return {
        head: [
          `send ${step.channel} "${step.template}"`,
          ...(step.fallback ?? []).map((f) => `else ${f.channel} "${f.template}"`),
          ...(step.generate ? ['words written by the model, template as fallback'] : []),
          ...(step.transactional ? ['transactional'] : []),
        ].join(', '),
        ways: [['', step.next]],
      };
    case 'wait': {
      const until = step.until && `wait until ${step.until.time} local${step.until.weekdays ? ` on ${step.until.weekdays.join(', ')}` : ''}`;
      return { head: until ?? `wait ${step.duration}`, ways: [['', step.next]] };
    }
    case 'wait_for_event':
      return {
        head: `wait up to ${step.timeout} for ${describeMatch(step)}`,
        ways: [['on event', step.onEvent], [`after ${step.timeout}`, step.onTimeout]],
      };
    case 'branch':
      return { head: 'branch (the first condition that holds)', ways: [...step.branches.map((b): [string, string] => [`if ${describeCondition(b.when)}`, b.next]), ['else', step.default]] };
    case 'split': {
      const total = step.paths.reduce((sum, p) => sum + p.weight, 0);
      const share = (w: number) => `${Math.round((1000 * w) / total) / 10}%`;
      return { head: 'split (sticky per customer)', ways: step.paths.map((p) => [`${p.name} ${share(p.weight)}${p.holdout ? ' (holdout: gets nothing)' : ''}`, p.next]) };
    }
    case 'update_attribute':
      return { head: `set ${step.attribute} = ${JSON.stringify(step.value)}`, ways: [['', step.next]] };
    case 'exit':
      return { head: 'exit', ways: [] };
  }
}

/**
 * The steps in flow order: each before the steps it leads to (loops aside), and the ways out of a
 * step in their written order. That is a depth-first post-order from `start`, reversed.
 */
function flowOrder(journey: Journey): string[] {
  const done = new Set<string>();
  const post: string[] = [];
  const visit = (id: string): void => {
    if (done.has(id) || !journey.steps[id]) return;
    done.add(id);
    for (const link of links(journey.steps[id]).reverse()) visit(link.target);
    post.push(id);
  };
  visit(journey.start);
  return post.reverse();
}

/**
 * A readable outline of a journey: its triggers with their filters, then each step in flow
 * order with every condition and where it leads. Pure: workflow code puts it in the UI.
 */
export function outline(journey: Journey, version: string): string {
  const { reentry } = journey;
  const lines = [`${journey.name} (${journey.id}@${version})`];
  for (const entry of entryMatches(journey)) lines.push(`  entry:    ${describeMatch(entry)}`);
  lines.push(`  re-entry: ${reentry.policy}${reentry.cooldown ? `, cooldown ${reentry.cooldown}` : ''}`);
  for (const goal of journey.goals) lines.push(`  goal:     ${describeMatch(goal)}${goal.name ? ` ("${goal.name}")` : ''} ends the run as converted`);
  for (const exit of journey.exits) lines.push(`  exit:     ${describeMatch(exit)} ends the run as exited`);
  lines.push('');
  const order = flowOrder(journey);
  const width = Math.max(...order.map((id) => id.length));
  for (const id of order) {
    const { head, ways } = describe(journey.steps[id]!);
    const [only] = ways;
    if (ways.length === 1 && only![0] === '') {
      lines.push(`  ${id.padEnd(width)}  ${head}  -> ${only![1]}`);
      continue;
    }
    lines.push(`  ${id.padEnd(width)}  ${head}`);
    const labelWidth = Math.max(...ways.map(([label]) => label.length));
    for (const [label, target] of ways) lines.push(`  ${' '.repeat(width)}    ${label.padEnd(labelWidth)}  -> ${target}`);
  }
  return lines.join('\n');
}
