import type { Condition, EventMatch, Journey } from './schema';
import { entryMatches } from './entry-matches';
import type { ValidationIssue } from './validate';
import { links, walk } from './graph';
import { describeCondition } from './explain';
import { Prover, type PerformedFacts } from './logic';

/**
 * The parts of a valid journey that no run can ever take: branches that can never be chosen,
 * waits whose event a goal or exit catches first, goals and exits another one shadows, and the
 * steps only those dead paths lead to. Reported as warnings (docs/authoring-journeys.md says why).
 */

interface Ender {
  kind: 'goal' | 'exit';
  match: EventMatch;
  /** Where it is and what it does, e.g. `goal "invited_team" (goals.0)`. */
  label: string;
}

interface DeadLink {
  from: string;
  field: string;
}

/** Every event `a` matches, `b` matches too. */
function covers(b: EventMatch, a: EventMatch, prover: Prover): boolean {
  if (a.event !== b.event) return false;
  if (!b.filter) return true;
  return !!a.filter && prover.implies(a.filter, b.filter);
}

function eventWarnings(goals: Ender[], exits: Ender[], prover: Prover): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  goals.forEach((goal, i) => {
    const earlier = goals.slice(0, i).find((g) => covers(g.match, goal.match, prover));
    if (earlier) issues.push({ path: `goals.${i}`, message: `never counts: every event it matches reaches the ${earlier.label} first; remove it or give it a filter the other one does not cover` });
  });
  exits.forEach((exit, i) => {
    const goal = goals.find((g) => covers(g.match, exit.match, prover));
    const earlier = exits.slice(0, i).find((x) => covers(x.match, exit.match, prover));
    if (goal) issues.push({ path: `exits.${i}`, message: `never ends a run: every event it matches is the ${goal.label}, and goals are checked first; remove one of them` });
    else if (earlier) issues.push({ path: `exits.${i}`, message: `never ends a run: every event it matches reaches the ${earlier.label} first; remove it` });
  });
  return issues;
}

/** Why a `settled` condition is settled: the performed facts it uses. */
function performedNotes(condition: Condition, facts: PerformedFacts): string {
  const types = new Set<string>();
  const collect = (c: Condition): void => {
    if ('all' in c) c.all.forEach(collect);
    else if ('any' in c) c.any.forEach(collect);
    else if ('not' in c) collect(c.not);
    else if ('performed' in c) types.add(c.performed);
  };
  collect(condition);
  const notes = [...types].flatMap((t) => {
    if (facts.always.has(t)) return [`"${t}" is the entry event, so it is always performed`];
    if (facts.never.has(t)) return [`"${t}" is a goal or exit event, so a run that receives it ends before any later step`];
    return [];
  });
  return notes.length ? `: ${notes.join('; ')}` : ' (its parts contradict each other)';
}

interface Context {
  facts: PerformedFacts;
  prover: Prover;
  /** Links no run takes, added to as they are found. */
  dead: DeadLink[];
}

function branchWarnings(id: string, branches: Array<{ when: Condition }>, { facts, prover, dead }: Context): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [i, { when }] of branches.entries()) {
    const path = `steps.${id}.branches.${i}.when`;
    const shown = describeCondition(when);
    const verdict = prover.settled(when, facts);
    if (verdict === true) {
      issues.push({ path, message: `always holds (${shown})${performedNotes(when, facts)}; the branches after it and the default are never taken` });
      dead.push(...branches.slice(i + 1).map((_, j) => ({ from: id, field: `branches.${i + 1 + j}.next` })), { from: id, field: 'default' });
      return issues;
    }
    const earlier = branches.slice(0, i).map((b) => b.when);
    const single = earlier.findIndex((c) => prover.implies(when, c));
    if (verdict === false) {
      issues.push({ path, message: `can never hold (${shown})${performedNotes(when, facts)}; this branch is never taken` });
    } else if (single >= 0 || (earlier.length > 1 && prover.implies(when, { any: earlier }))) {
      const which = single >= 0 ? `the earlier condition at branches.${single} (${describeCondition(earlier[single]!)})` : 'the conditions before it';
      issues.push({ path, message: `is never taken: every customer it matches takes ${which} first; reorder the branches or remove this one` });
    } else continue;
    dead.push({ from: id, field: `branches.${i}.next` });
  }
  const none: Condition = { not: { any: branches.map((b) => b.when) } };
  if (prover.excludes(none, none)) {
    issues.push({ path: `steps.${id}.default`, message: 'is never taken: the conditions above cover every case' });
    dead.push({ from: id, field: 'default' });
  }
  return issues;
}

/**
 * Warnings about paths no run can take. Assumes every link resolves (validate.ts checks that
 * first). `proofSteps` bounds the work spent on conditions (see Prover).
 */
export function deadPathWarnings(journey: Journey, proofSteps?: number): ValidationIssue[] {
  const prover = new Prover(proofSteps);
  const goals = journey.goals.map((match, i): Ender => ({ kind: 'goal', match, label: `goal "${match.name ?? match.event}" (goals.${i})` }));
  const exits = journey.exits.map((match, i): Ender => ({ kind: 'exit', match, label: `exit "${match.event}" (exits.${i})` }));
  const issues = eventWarnings(goals, exits, prover);
  const entries = entryMatches(journey);
  const facts: PerformedFacts = {
    // Performed in every run only when it is the one way in.
    always: new Set(entries.length === 1 ? [entries[0]!.event] : []),
    never: new Set([...goals, ...exits].filter((e) => !e.match.filter).map((e) => e.match.event)),
  };
  const dead: DeadLink[] = [];
  for (const [id, step] of Object.entries(journey.steps)) {
    if (step.kind === 'branch') issues.push(...branchWarnings(id, step.branches, { facts, prover, dead }));
    if (step.kind !== 'wait_for_event') continue;
    const ender = [...goals, ...exits].find((e) => covers(e.match, step, prover));
    if (!ender) continue;
    issues.push({
      path: `steps.${id}.event`,
      message: `every "${step.event}" event this step waits for is the ${ender.label}, which ends the run as soon as it arrives: onEvent ("${step.onEvent}") is never taken; wait for another event, or remove the ${ender.kind} and let this step handle it`,
    });
    dead.push({ from: id, field: 'onEvent' });
  }

  const isDead = (from: string, field: string) => dead.some((d) => d.from === from && d.field === field);
  const live = walk([journey.start], (id) => links(journey.steps[id]!).filter((l) => !isDead(id, l.field)).map((l) => l.target));
  const deadOnly = new Map<string, string[]>();
  for (const d of dead.filter((d) => live.has(d.from))) {
    const target = links(journey.steps[d.from]!).find((l) => l.field === d.field)!.target;
    for (const id of walk([target], (s) => links(journey.steps[s]!).map((l) => l.target))) {
      if (!live.has(id)) deadOnly.set(id, [...(deadOnly.get(id) ?? []), `steps.${d.from}.${d.field}`]);
    }
  }
  for (const [id, via] of deadOnly) {
    issues.push({ path: `steps.${id}`, message: `never runs: it is reached only through ${via.join(', ')}, which no run takes; fix that path or remove this step` });
  }
  return issues;
}
