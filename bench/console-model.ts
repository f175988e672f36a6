import { links } from '../src/journey/graph';
import type { Journey, Step } from '../src/journey/schema';
import { pickPath, splitAssignments } from '../src/journey/split';

/** How a filler run stands: still in the journey, ended by the product's way out, or terminated ("other" on the page). */
export type Fate = 'active' | 'converted' | 'exited' | 'completed' | 'other';

/**
 * The share of each fate among the filler runs: most customers of a 30-day range still wait in the
 * journey, a fifth have converted or left on an exit event, some ran to the end, a few were
 * terminated by an operator. The last fate takes what the others leave.
 */
export const FATES: ReadonlyArray<[Fate, number]> = [
  ['active', 0.6],
  ['converted', 0.15],
  ['exited', 0.07],
  ['completed', 0.13],
  ['other', 0.05],
];

export interface FillerStep {
  step: string;
  kind: string;
  outcome: string;
  at: Date;
  /** The send's channel and template, for the ledger row. */
  send?: { channel: string; template: string };
}

/** One filler customer's run, as both visibility and the store will hold it. */
export interface FillerRun {
  customerId: string;
  fate: Fate;
  /** JourneyStep: where an active run waits, the last step reached by an ended one. */
  step: string;
  /** JourneySplits, as the router's start sets it (src/journey/split.ts). */
  splits: string[];
  enteredAt: Date;
  /** Steps reached, in order; each reached once (the journeys the bench uses have no loops, and a loop is cut at its second visit). */
  path: FillerStep[];
}

/** mulberry32: a small seeded generator, so a size gives the same customers every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const HOUR = 3_600_000;

/** What the run would record at a step, and where it goes next. */
function stepThrough(journey: Journey, id: string, step: Step, customerId: string, rand: () => number): { outcome: string; next?: string; send?: FillerStep['send'] } {
  switch (step.kind) {
    case 'send':
      return { outcome: `sent ${step.channel} ${step.template}`, next: step.next, send: { channel: step.channel, template: step.template } };
    case 'split': {
      const path = pickPath(step.paths, journey.id, id, customerId);
      return { outcome: `path ${path.name}${path.holdout ? ' (holdout)' : ''}`, next: path.next };
    }
    case 'branch': {
      const ways = links(step);
      const i = Math.floor(rand() * ways.length);
      return { outcome: i < step.branches.length ? `branch ${i + 1}: matched` : 'default: no condition matched', next: ways[i]!.target };
    }
    case 'wait_for_event':
      return rand() < 0.3 ? { outcome: `received ${step.event}`, next: step.onEvent } : { outcome: 'timed out', next: step.onTimeout };
    case 'wait':
      return { outcome: 'waited', next: step.next };
    case 'update_attribute':
      return { outcome: `set ${step.attribute} = ${JSON.stringify(step.value)}`, next: step.next };
    case 'exit':
      return { outcome: 'exit' };
  }
}

/**
 * Customer `i` of the fill: a walk through the journey (the split as the product picks it, other
 * ways out at random), cut where the run stands. An active run waits at one of the waits on its
 * way, earlier waits likelier (a customer spends days in each; new ones keep arriving); a
 * converted, exited or terminated one ended at such a wait; a completed one reached the exit.
 * It entered within the last 29 days, and each step came an hour after the one before (never
 * after now).
 */
export function fillerRun(journey: Journey, customerId: string, i: number, now: number): FillerRun {
  const rand = random(i + 1);
  const pickFate = rand();
  let acc = 0;
  const fate = FATES.find(([, share]) => (acc += share) > pickFate)?.[0] ?? FATES[FATES.length - 1]![0];
  const enteredAt = new Date(now - HOUR - Math.floor(rand() * 28 * 24 * HOUR));
  const full: FillerStep[] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = journey.start; id !== undefined && !seen.has(id); ) {
    seen.add(id);
    const step = journey.steps[id]!;
    const through = stepThrough(journey, id, step, customerId, rand);
    full.push({ step: id, kind: step.kind, outcome: through.outcome, at: new Date(Math.min(now, enteredAt.getTime() + full.length * HOUR)), ...(through.send ? { send: through.send } : {}) });
    id = through.next;
  }
  const waits = full.flatMap((s, at) => (s.kind === 'wait' || s.kind === 'wait_for_event' ? [at] : []));
  let end = full.length;
  if (fate !== 'completed' && waits.length) {
    // Weights 1, 1/2, 1/3...: the first wait holds the most.
    const weights = waits.map((_, k) => 1 / (k + 1));
    let point = rand() * weights.reduce((a, w) => a + w, 0);
    const k = weights.findIndex((w) => (point -= w) < 0);
    end = waits[k === -1 ? waits.length - 1 : k]! + 1;
  }
  const path = full.slice(0, end);
  const last = path[path.length - 1]!;
  // The step the run waits at has no outcome yet; an ended run's last wait was cut short.
  if (fate === 'active') last.outcome = '';
  else if (fate !== 'completed') last.outcome = fate === 'converted' ? 'interrupted: converted' : 'interrupted';
  return { customerId, fate, step: last.step, splits: splitAssignments(journey.id, journey.steps, customerId), enteredAt, path };
}
