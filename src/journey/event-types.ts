import type { Condition, Journey } from './schema';

function performedIn(condition: Condition, into: Set<string>): void {
  if ('all' in condition) condition.all.forEach((c) => performedIn(c, into));
  else if ('any' in condition) condition.any.forEach((c) => performedIn(c, into));
  else if ('not' in condition) performedIn(condition.not, into);
  else if ('performed' in condition) into.add(condition.performed);
}

/**
 * The event types a running journey reacts to: goals, exits, wait_for_event steps and the
 * types its branch conditions test with `performed`. The customer router forwards exactly these
 * to an active run. Pure: used by workflow code.
 */
export function runEventTypes(journey: Journey): string[] {
  const types = new Set<string>([...journey.goals, ...journey.exits].map((m) => m.event));
  for (const step of Object.values(journey.steps)) {
    if (step.kind === 'wait_for_event') types.add(step.event);
    if (step.kind === 'branch') step.branches.forEach((b) => performedIn(b.when, types));
  }
  return [...types];
}
