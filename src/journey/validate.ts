import type { z } from 'zod';
import type { Config } from '../config';
import { JourneySchema, type Journey, type Step } from './schema';
import { links, isWaiting, walk } from './graph';
import { durationMs } from './duration';
import { deadPathWarnings } from './dead-paths';

export interface ValidationIssue {
  /** Where the problem is, e.g. `steps.nudge.next`. */
  path: string;
  message: string;
  /** The line of the file it is on, when the definition came from a file. */
  line?: number;
}

/** `steps.nudge.next (line 12): refers to ...`: one issue on one line. */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.path || (issue.line ? '' : '(root)');
  const line = issue.line ? `${where ? ' ' : ''}(line ${issue.line})` : '';
  return `${where}${line}: ${issue.message}`;
}

export class JourneyValidationError extends Error {
  readonly code = 'JOURNEY_INVALID';
  constructor(
    readonly source: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`${source} is not a valid journey:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'JourneyValidationError';
  }
}

export interface ValidationLimits {
  /** The longest wait or timeout allowed. */
  maxWaitMs: number;
  /** WAYMARK_JOURNEY_PROOF_STEPS: the work the dead-path checks may spend on one journey; without it, no bound. */
  proofSteps?: number;
  /** WAYMARK_JOURNEY_MAX_DEPTH: how deep lists and maps may nest, the top counted as 1; without it, no bound. */
  maxDepth?: number;
  /** WAYMARK_JOURNEY_MAX_BYTES: a larger journey file is refused unread; without it, no bound. */
  maxFileBytes?: number;
}

/** The limits the configuration sets. */
export function validationLimits(config: Config): ValidationLimits {
  const { maxWaitMs, proofSteps, maxDepth, maxFileBytes } = config.journeys;
  return { maxWaitMs, proofSteps, maxDepth, maxFileBytes };
}

/**
 * `issues` make a journey invalid (it is never published); `warnings` point at parts of a valid
 * journey no run can take (docs/authoring-journeys.md has the table of which is which).
 */
export type ValidationResult = { ok: true; journey: Journey; warnings: ValidationIssue[] } | { ok: false; issues: ValidationIssue[]; warnings: ValidationIssue[] };

/** Checks shape, then the step graph, then dead paths. Returns every problem found, each with its path. */
export function validateJourney(input: unknown, limits: ValidationLimits): ValidationResult {
  // Before the schema: it, and every check after it, recurses through nested conditions.
  const deep = limits.maxDepth === undefined ? undefined : tooDeep(input, limits.maxDepth);
  if (deep) {
    const message = `nests lists and maps too deeply: more than ${limits.maxDepth} levels (WAYMARK_JOURNEY_MAX_DEPTH); nest conditions less (one "all" or "any" holds many)`;
    return { ok: false, issues: [{ path: deep.join('.'), message }], warnings: [] };
  }
  const parsed = JourneySchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.flatMap((issue) => toIssues(issue, [])), warnings: [] };
  }
  const journey = parsed.data;
  const references = referenceIssues(journey, limits);
  if (references.length) return { ok: false, issues: references, warnings: [] }; // the checks below follow links
  const issues = graphIssues(journey);
  const warnings = deadPathWarnings(journey, limits.proofSteps);
  return issues.length ? { ok: false, issues, warnings } : { ok: true, journey, warnings };
}

/**
 * The path of the first list or map nested more than `maxDepth` levels deep, or undefined. A loop,
 * not recursion: the input may be nested deeper than the stack allows, or be a cycle (YAML aliases).
 */
function tooDeep(input: unknown, maxDepth: number): PropertyKey[] | undefined {
  const pending: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: input, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    if (!value || typeof value !== 'object') continue;
    if (path.length >= maxDepth) return path;
    for (const [key, child] of Object.entries(value)) pending.push({ value: child, path: [...path, Array.isArray(value) ? Number(key) : key] });
  }
  return undefined;
}

/** A zod issue as ours: the full path, and a message that says what to fix. */
function toIssues(issue: z.core.$ZodIssue, base: PropertyKey[]): ValidationIssue[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // zod reports a failed union as a whole. When only one option has no unknown keys and is of the
    // input's type (an entry written as one match, not a list), the input was meant as that option,
    // and its own issues (a bad "op", a missing field) say what to fix.
    const fitting = issue.errors.filter((errors) => !errors.some((e) => e.code === 'unrecognized_keys' || (e.code === 'invalid_type' && e.path.length === 0)));
    if (fitting.length === 1) return fitting[0]!.flatMap((e) => toIssues(e, path));
  }
  return [{ path: path.join('.'), message: describe(issue, path) }];
}

/** A union field that is missing altogether: every option failed on the field itself, none of them on something inside it. */
const missing = (issue: z.core.$ZodIssue) =>
  issue.code === 'invalid_union' && issue.errors.length > 0 && issue.errors.every((errors) => errors.length > 0 && errors.every((e) => e.code === 'invalid_type' && e.path.length === 0 && /received undefined/.test(e.message)));

function describe(issue: z.core.$ZodIssue, path: PropertyKey[]): string {
  if (missing(issue)) return path.join('.') === 'entry' ? 'is required: the event that starts the journey, e.g. "entry: { event: signed_up }" (or a list of them)' : 'is required';
  if (issue.code === 'invalid_union') {
    // A discriminated union (step kinds) that matched no option.
    if (issue.discriminator) {
      const options = 'options' in issue && issue.options ? issue.options.map((o) => JSON.stringify(o)).join(', ') : '';
      return `is not a known ${issue.discriminator}; use one of ${options}`;
    }
    if (path.at(-1) === 'value') return 'must be a string, number or boolean (a list of them for "in" and "not_in"; null to clear an attribute)';
    // zod's union failures say only "Invalid input"; say what a condition may look like.
    return 'is not a valid condition: use {attribute|property, op, value}, {performed}, {all: [...]}, {any: [...]} or {not: ...} (filters take property tests only)';
  }
  // A bad record key (a step id): zod says only "Invalid key in record"; the key's own check says why.
  if (issue.code === 'invalid_key') return issue.issues.map((i) => i.message).join('; ');
  if (issue.code === 'unrecognized_keys') return `${issue.message}; remove it or check its spelling`;
  return issue.message;
}

/** Links to unknown steps, and waits over the maximum. */
function referenceIssues(journey: Journey, limits: ValidationLimits): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const steps = journey.steps;
  const ids = Object.keys(steps);
  const known = (id: string) => Object.hasOwn(steps, id);
  const hint = `known steps: ${ids.join(', ')}`;

  if (ids.length === 0) return [{ path: 'steps', message: 'a journey needs at least one step' }];
  if (!known(journey.start)) issues.push({ path: 'start', message: `refers to unknown step "${journey.start}" (${hint})` });

  for (const [id, step] of Object.entries(steps)) {
    for (const link of links(step)) {
      if (!known(link.target)) issues.push({ path: `steps.${id}.${link.field}`, message: `refers to unknown step "${link.target}" (${hint})` });
    }
    issues.push(...durationIssues(id, step, limits));
  }
  return issues;
}

/** Unreachable steps, paths that never end, loops that take no time. Assumes every link resolves. */
function graphIssues(journey: Journey): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const steps = journey.steps;
  const ids = Object.keys(steps);
  const reachable = walk([journey.start], (id) => links(steps[id]!).map((l) => l.target));
  for (const id of ids) {
    if (!reachable.has(id)) issues.push({ path: `steps.${id}`, message: `is unreachable from start "${journey.start}"; link to it from another step or remove it` });
  }

  const exits = ids.filter((id) => steps[id]!.kind === 'exit');
  const leadsToExit = walk(exits, (id) => ids.filter((from) => links(steps[from]!).some((l) => l.target === id)));
  for (const id of ids) {
    if (reachable.has(id) && !leadsToExit.has(id)) {
      issues.push({ path: `steps.${id}`, message: 'never reaches an exit step; every path must end in a step of kind "exit"' });
    }
  }

  const loop = loopWithoutWait(journey);
  if (loop) {
    // Point at the link that goes back to the loop's first step (the one that closes it).
    const [from, to] = loop.slice(-2) as [string, string];
    const field = links(steps[from]!).find((l) => l.target === to)!.field;
    issues.push({ path: `steps.${from}.${field}`, message: `closes a loop with no wait (${loop.join(' -> ')}); add a wait or wait_for_event step inside the loop` });
  }
  return issues;
}

function durationIssues(id: string, step: Step, limits: ValidationLimits): ValidationIssue[] {
  const field = step.kind === 'wait' ? 'duration' : step.kind === 'wait_for_event' ? 'timeout' : undefined;
  const text = step.kind === 'wait' ? step.duration : step.kind === 'wait_for_event' ? step.timeout : undefined;
  if (!field || text === undefined) return [];
  const ms = durationMs(text)!;
  return ms > limits.maxWaitMs
    ? [{ path: `steps.${id}.${field}`, message: `"${text}" is longer than the longest wait allowed (${formatMs(limits.maxWaitMs)}, WAYMARK_JOURNEY_MAX_WAIT)` }]
    : [];
}

/** "365d", "12h", "90m": the largest unit that divides `ms` evenly (rounding days hid limits under a day). */
function formatMs(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  const [unit, size] = units.find(([, n]) => ms % n === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/** A cycle made only of steps that take no time, as a list of step ids (first repeated last). */
function loopWithoutWait(journey: Journey): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const step = journey.steps[id]!;
    if (isWaiting(step) || state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const link of links(step)) {
      const found = visit(link.target);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of Object.keys(journey.steps)) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}
