import type { JourneyInput } from './schema';

/** Fields that name another step; `defineJourney` types them against the journey's own step ids. */
type RefField = 'start' | 'next' | 'onEvent' | 'onTimeout' | 'default';
type WithStepIds<T, S extends string> = T extends readonly (infer U)[]
  ? WithStepIds<U, S>[]
  : T extends object
    ? { [K in keyof T]: K extends RefField ? S : WithStepIds<T[K], S> }
    : T;

type StepInput = JourneyInput['steps'][string];
/** A journey whose step references the compiler checks: a typo in `next` is a type error. */
export type JourneyDraft<S extends string> = Omit<JourneyInput, 'start' | 'steps'> & {
  start: NoInfer<S>;
  steps: { [K in S]: WithStepIds<StepInput, NoInfer<S>> };
};

/**
 * The typed builder for journeys written in TypeScript (journeys/*.ts). It only types the
 * definition; validation and hashing happen when the catalog publishes it, as for JSON and YAML.
 */
export function defineJourney<S extends string>(draft: JourneyDraft<S>): JourneyInput {
  return draft as JourneyInput;
}
