import { z } from 'zod';
import { durationMs, DURATION_HINT } from './duration';
import { WEEKDAYS } from './weekdays';
import { SCORE_NAMES, type ScoreName } from '../scoring/models';

/**
 * The journey definition language. One schema serves journeys written in TypeScript (through
 * `defineJourney`), JSON and YAML. Graph rules (references, reachability, loops, exits) live in
 * validate.ts; this file checks shape only.
 */

export const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;
export const JOURNEY_ID = /^[a-z][a-z0-9-]{0,62}$/;

const stepRef = z.string().regex(STEP_ID, 'must be a step id: a letter, then letters, digits, "_" or "-"');
const eventType = z.string().regex(EVENT_TYPE, 'must be an event type: a letter, then letters, digits, "_", ".", ":" or "-" (at most 100)');
export const Duration = z.string().refine((s) => durationMs(s) !== undefined, { message: `must be ${DURATION_HINT}` });

const scalar = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof scalar>;

const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'contains', 'exists', 'not_exists'] as const;
export type Operator = (typeof OPERATORS)[number];

/** The tests a score takes: it is a number, or missing (no features for the customer yet). */
export const SCORE_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'exists', 'not_exists'] as const;

/**
 * A test on a customer attribute (`attribute`), a property of the current event (`property`), or
 * a model's score for the customer, computed when the step runs (`score`: docs/scores.md).
 */
export type Comparison =
  | { attribute: string; op: Operator; value?: Scalar | Scalar[] }
  | { property: string; op: Operator; value?: Scalar | Scalar[] }
  | { score: ScoreName; op: (typeof SCORE_OPERATORS)[number]; value?: number };
/** Conditions compose; `performed` is true once the customer sent that event type since entering. */
export type Condition =
  | Comparison
  | { performed: string }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const fieldPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'must be a field name, dotted for nested fields (e.g. "plan" or "usage.seats")');

function checkOperand(value: { op: Operator; value?: unknown }, ctx: z.RefinementCtx): void {
  const { op, value: operand } = value;
  const fail = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
  if (op === 'exists' || op === 'not_exists') {
    if (operand !== undefined) fail(`"${op}" takes no value; remove "value"`);
  } else if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(operand) || operand.length === 0) fail(`"${op}" needs a non-empty list of values`);
  } else if (operand === undefined || Array.isArray(operand)) {
    fail(`"${op}" needs a single value (string, number or boolean)`);
  } else if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof operand === 'boolean') {
    fail(`"${op}" compares numbers or strings, not booleans`);
  }
}

const comparisonFields = { op: z.enum(OPERATORS), value: z.union([scalar, z.array(scalar)]).optional() };
const attributeTest = z.strictObject({ attribute: fieldPath, ...comparisonFields }).superRefine(checkOperand);
const propertyTest = z.strictObject({ property: fieldPath, ...comparisonFields }).superRefine(checkOperand);
const scoreTest = z
  .strictObject({
    score: z.enum(SCORE_NAMES, { error: `must be a score: ${SCORE_NAMES.join(', ')}` }),
    op: z.enum(SCORE_OPERATORS, { error: `a score takes ${SCORE_OPERATORS.join(', ')}` }),
    value: z.number({ error: 'must be a number (churn and lead scores run from 0 to 1; value is an amount)' }).optional(),
  })
  .superRefine(checkOperand);

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    attributeTest,
    propertyTest,
    scoreTest,
    z.strictObject({ performed: eventType }),
    z.strictObject({ all: z.array(Condition).min(1) }),
    z.strictObject({ any: z.array(Condition).min(1) }),
    z.strictObject({ not: Condition }),
  ]),
);

/** Event filters look at the event alone: property tests, combined with all/any/not. */
export type Filter = Extract<Comparison, { property: string }> | { all: Filter[] } | { any: Filter[] } | { not: Filter };
export const Filter: z.ZodType<Filter> = z.lazy(() =>
  z.union([
    propertyTest,
    z.strictObject({ all: z.array(Filter).min(1) }),
    z.strictObject({ any: z.array(Filter).min(1) }),
    z.strictObject({ not: Filter }),
  ]),
);

export const EventMatch = z.strictObject({ event: eventType, filter: Filter.optional() });
export type EventMatch = z.infer<typeof EventMatch>;

import { CHANNELS } from './channels';
export { CHANNELS };
export { WEEKDAYS, type Weekday } from './weekdays';

const templateRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a template name (letters, digits, "_", ".", "-")');
/** Another channel to try, in order, when the ones before are impossible for the customer (docs/contact-policy.md). */
const FallbackChannel = z.strictObject({ channel: z.enum(CHANNELS), template: templateRef });
/** What the model is asked for: a few sentences, not a template (it travels with every generated message's prompt). */
const GenerateBrief = z
  .string()
  .refine((b) => b.trim().length > 0, { message: 'must say what to write, e.g. "a warmer subject line that names their plan"' })
  .refine((b) => b.length <= 1_000, { message: 'must be at most 1000 characters: say what to change, the template holds the message' });
const SendStep = z
  .strictObject({
    kind: z.literal('send'),
    channel: z.enum(CHANNELS),
    template: templateRef,
    /** A receipt or a password reset: frequency caps and quiet hours do not hold it back; consent still does. */
    transactional: z.boolean().optional(),
    /** Ask a model to write the content from the template and this brief; the template is the fallback (docs/content-generation.md). */
    generate: z.strictObject({ brief: GenerateBrief }).optional(),
    fallback: z.array(FallbackChannel).min(1, 'a fallback lists at least one channel; remove it for none').optional(),
    next: stepRef,
  })
  .superRefine((s, ctx) => {
    // A channel tried twice would be impossible twice: consent and the address do not change with the template.
    const seen = new Set<string>([s.channel]);
    s.fallback?.forEach((f, i) => {
      if (seen.has(f.channel)) ctx.addIssue({ code: 'custom', path: ['fallback', i, 'channel'], message: `${f.channel} is tried already: a channel may appear once in a send step and its fallback` });
      seen.add(f.channel);
    });
  });
const WaitStep = z
  .strictObject({
    kind: z.literal('wait'),
    duration: Duration.optional(),
    until: z
      .strictObject({
        time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time of day "HH:MM" (24-hour)'),
        weekdays: z.array(z.enum(WEEKDAYS)).min(1).optional(),
      })
      .optional(),
    next: stepRef,
  })
  .refine((s) => (s.duration === undefined) !== (s.until === undefined), {
    message: 'a wait needs exactly one of "duration" (e.g. "1d") or "until" ({ time: "09:00" })',
  });
const WaitForEventStep = z.strictObject({
  kind: z.literal('wait_for_event'),
  event: eventType,
  filter: Filter.optional(),
  timeout: Duration,
  onEvent: stepRef,
  onTimeout: stepRef,
});
const BranchStep = z.strictObject({
  kind: z.literal('branch'),
  branches: z.array(z.strictObject({ when: Condition, next: stepRef })).min(1, 'a branch needs at least one condition'),
  default: stepRef,
});
const SplitStep = z
  .strictObject({
    kind: z.literal('split'),
    paths: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a path name (letters, digits, "_", "-")'),
          weight: z.number().int('must be a whole number').min(1).max(10_000),
          holdout: z.boolean().optional(),
          next: stepRef,
        }),
      )
      .min(2, 'a split needs at least two paths'),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.paths.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['paths', i, 'name'], message: `path name "${p.name}" is used twice` });
      seen.add(p.name);
    });
  });
const UpdateAttributeStep = z.strictObject({
  kind: z.literal('update_attribute'),
  attribute: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a top-level attribute name (letters, digits, "_")'),
  value: z.union([scalar, z.null()]),
  next: stepRef,
});
const ExitStep = z.strictObject({ kind: z.literal('exit') });

export const Step = z.discriminatedUnion('kind', [SendStep, WaitStep, WaitForEventStep, BranchStep, SplitStep, UpdateAttributeStep, ExitStep]);
export type Step = z.infer<typeof Step>;

export const REENTRY_POLICIES = ['never', 'after_exit', 'always'] as const;

const MAX_ENTRIES = 10;

export const JourneySchema = z.strictObject({
  id: z.string().regex(JOURNEY_ID, 'must be a journey id: lowercase letters, digits and "-", starting with a letter'),
  name: z.string().min(1).max(200),
  description: z.string().max(2_000).optional(),
  /** The event that starts a run, or several (any of them starts one: `[{ event: 'health_at_risk' }, { event: 'churn_risk_high' }]`). */
  entry: z.union([EventMatch, z.array(EventMatch).min(1, 'list at least one entry event').max(MAX_ENTRIES, `at most ${MAX_ENTRIES} entry events`)]),
  reentry: z
    .strictObject({ policy: z.enum(REENTRY_POLICIES), cooldown: Duration.optional() })
    .default({ policy: 'never' }),
  goals: z.array(EventMatch.extend({ name: z.string().min(1).max(100).optional() })).default([]),
  exits: z.array(EventMatch).default([]),
  start: stepRef,
  steps: z.record(z.string().regex(STEP_ID, 'step ids start with a letter, then letters, digits, "_" or "-"'), Step),
});

/** A journey as a designer writes it (defaults not yet applied). */
export type JourneyInput = z.input<typeof JourneySchema>;
/** A validated journey. */
export type Journey = z.infer<typeof JourneySchema>;

/** A journey as it is published and run: the validated definition and its content hash. */
export interface PublishedJourney {
  readonly definition: Journey;
  readonly version: string;
}
