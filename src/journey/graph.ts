import type { Journey, Step } from './schema';

/** A link from a step to the next: the field that holds it (relative to the step) and the target. */
export interface Link {
  field: string;
  target: string;
}

/** Where a step can go next. Pure: also used by the interpreter workflow. */
export function links(step: Step): Link[] {
  switch (step.kind) {
    case 'send':
    case 'wait':
    case 'update_attribute':
      return [{ field: 'next', target: step.next }];
    case 'wait_for_event':
      return [
        { field: 'onEvent', target: step.onEvent },
        { field: 'onTimeout', target: step.onTimeout },
      ];
    case 'branch':
      return [...step.branches.map((b, i) => ({ field: `branches.${i}.next`, target: b.next })), { field: 'default', target: step.default }];
    case 'split':
      return step.paths.map((p, i) => ({ field: `paths.${i}.next`, target: p.next }));
    case 'exit':
      return [];
  }
}

/** Steps that take time (and so may appear in a loop). */
export function isWaiting(step: Step): boolean {
  return step.kind === 'wait' || step.kind === 'wait_for_event';
}

/** Every id reachable from `from` (included) by following `next`. */
export function walk(from: string[], next: (id: string) => string[]): Set<string> {
  const seen = new Set<string>(from);
  const queue = [...from];
  while (queue.length) {
    for (const id of next(queue.pop()!)) {
      if (!seen.has(id)) {
        seen.add(id);
        queue.push(id);
      }
    }
  }
  return seen;
}

/**
 * The first step a new run stops at: follow the start through sends and attribute updates
 * (which pass in milliseconds) to the first wait, branch, split or exit. A run is started with
 * this as its `JourneyStep`, so it needs no search-attribute update when it parks there.
 */
export function firstStop(steps: Record<string, Step>, start: string): string {
  let id = start;
  for (let hops = 0; hops < Object.keys(steps).length; hops++) {
    const step = steps[id]!;
    if (step.kind !== 'send' && step.kind !== 'update_attribute') return id;
    id = step.next;
  }
  return id;
}

/** Step ids in flow order (depth first from `start`, ways out in their order), then any the flow does not reach. */
export function flowOrder(journey: Journey): string[] {
  const seen = new Set<string>();
  const visit = (id: string): void => {
    const step = journey.steps[id];
    if (!step || seen.has(id)) return;
    seen.add(id);
    for (const link of links(step)) visit(link.target);
  };
  visit(journey.start);
  return [...seen, ...Object.keys(journey.steps).filter((id) => !seen.has(id))];
}
