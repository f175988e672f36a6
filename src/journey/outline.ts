import type { Journey, Step } from './schema';
import { links } from './graph';

function describe(step: Step): string {
  switch (step.kind) {
    case 'send':
      return `send ${step.channel} "${step.template}"`;
    case 'wait':
      return step.duration ? `wait ${step.duration}` : `wait until ${step.until!.time} local${step.until!.weekdays ? ` on ${step.until!.weekdays.join(',')}` : ''}`;
    case 'wait_for_event':
      return `wait up to ${step.timeout} for "${step.event}"${step.filter ? ' (filtered)' : ''}`;
    case 'branch':
      return `branch: ${step.branches.length} condition(s), else default`;
    case 'split':
      return `split: ${step.paths.map((p) => `${p.name} ${p.weight}${p.holdout ? ' holdout' : ''}`).join(' / ')}`;
    case 'update_attribute':
      return `set ${step.attribute} = ${JSON.stringify(step.value)}`;
    case 'exit':
      return 'exit';
  }
}

/** A readable preview of a journey: its triggers, then each step in the order a run meets them. */
export function outline(journey: Journey, version: string): string {
  const lines = [`${journey.name} (${journey.id}@${version})`];
  lines.push(`  entry: "${journey.entry.event}"${journey.entry.filter ? ' (filtered)' : ''}; re-entry: ${journey.reentry.policy}${journey.reentry.cooldown ? ` after ${journey.reentry.cooldown}` : ''}`);
  if (journey.goals.length) lines.push(`  goals: ${journey.goals.map((g) => `"${g.event}"`).join(', ')} (end the run as converted)`);
  if (journey.exits.length) lines.push(`  exits: ${journey.exits.map((g) => `"${g.event}"`).join(', ')} (end the run at once)`);
  const order: string[] = [];
  const queue = [journey.start];
  while (queue.length) {
    const id = queue.shift()!;
    if (order.includes(id)) continue;
    order.push(id);
    queue.push(...links(journey.steps[id]!).map((l) => l.target));
  }
  const width = Math.max(...order.map((id) => id.length));
  for (const id of order) {
    const step = journey.steps[id]!;
    const next = links(step).map((l) => `${l.field}: ${l.target}`).join(', ');
    lines.push(`  ${id.padEnd(width)}  ${describe(step)}${next ? `  -> ${next}` : ''}`);
  }
  return lines.join('\n');
}
