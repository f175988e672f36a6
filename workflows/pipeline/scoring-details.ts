import { md } from '../../src/temporal/markdown';
import type { ScoringOutcome } from './retraining-contract';

/** A batch scoring in a line of the run's details (the Temporal UI renders its markdown). */
export function scoringOf(s: ScoringOutcome): string {
  const events = s.event ? ` · ${s.crossed} rose to ${s.threshold} and got ${s.event}` : '';
  const refused = s.refused ? ` · ${s.refused} profiles refused (${s.examples.map((e) => md(e)).join('; ')})` : '';
  return `**scored** ${s.scored} customers · ${s.written} profiles updated${refused}${events}`;
}
