import type { EventMatch, Journey } from './schema';

/** A journey's entry events as a list (a single `entry` is a list of one). Pure: workflow code uses it. */
export function entryMatches(journey: Pick<Journey, 'entry'>): EventMatch[] {
  return Array.isArray(journey.entry) ? journey.entry : [journey.entry];
}
