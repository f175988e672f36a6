import { createHash } from 'node:crypto';
import type { Journey, PublishedJourney } from './schema';
import { canonicalJson } from './canonical-json';
import { validateJourney, JourneyValidationError, type ValidationLimits } from './validate';

/** The version of a journey: the first 12 hex digits of the SHA-256 of its canonical JSON. */
export function journeyVersion(journey: Journey): string {
  return createHash('sha256').update(canonicalJson(journey)).digest('hex').slice(0, 12);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Seals a validated journey: the result cannot change, and its version is its hash. */
export function sealJourney(journey: Journey): PublishedJourney {
  return deepFreeze({ definition: journey, version: journeyVersion(journey) });
}

/** Validates a definition and seals it; throws, naming `source`, when it is invalid. Warnings do not stop it. */
export function publishJourney(input: unknown, source: string, limits: ValidationLimits): PublishedJourney {
  const result = validateJourney(input, limits);
  if (!result.ok) throw new JourneyValidationError(source, result.issues);
  return sealJourney(result.journey);
}
