import { createHash } from 'node:crypto';
import type { Journey, PublishedJourney } from './schema';
import { validateJourney, JourneyValidationError, type ValidationLimits } from './validate';

/** JSON with object keys sorted, so the same definition always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

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

/** Validates a definition and seals it: the result cannot change, and its version is its hash. */
export function publishJourney(input: unknown, source: string, limits: ValidationLimits): PublishedJourney {
  const result = validateJourney(input, limits);
  if (!result.ok) throw new JourneyValidationError(source, result.issues);
  return deepFreeze({ definition: result.journey, version: journeyVersion(result.journey) });
}
