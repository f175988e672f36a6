import type { TemplateChannel } from '../templates/schema';
import { templateRefProblems } from '../templates/catalog';
import type { JourneyStore } from '../store/journeys';
import { diffJourneys, type Difference } from './diff';
import { checkJourneyText } from './journey-file';
import type { PublishedJourney } from './schema';
import type { ValidationIssue, ValidationLimits } from './validate';

/** A definition checked before publishing: its problems, or the journey with its warnings and what it changes. */
export interface DefinitionCheck {
  issues: ValidationIssue[];
  /** A valid journey's warnings: parts no run takes, send steps whose template is not published (or is for another channel). */
  warnings: string[];
  published?: PublishedJourney;
  /** The journey's current version, when it is published already. */
  current?: string;
  /** What publishing it would change against the current version. */
  differences?: Difference[];
}

/**
 * Checks a journey's text (YAML or JSON; `name` says which, and names it in messages) as
 * `waymark journeys publish` would, and compares it with the current version: what the console's
 * Check and the API's dry run answer.
 */
export async function checkDefinition(name: string, text: string, limits: ValidationLimits, journeys: JourneyStore, templateChannels: () => Promise<ReadonlyMap<string, TemplateChannel>>): Promise<DefinitionCheck> {
  const checked = checkJourneyText(name, text, limits);
  if (!checked.published) return { issues: checked.issues, warnings: [] };
  const { definition } = checked.published;
  const refs = templateRefProblems([definition], await templateChannels(), 'report').map((r) => r.message);
  const warnings = [...checked.warnings.map((w) => `${w.path}: ${w.message}`), ...refs];
  const state = (await journeys.states()).find((s) => s.journeyId === definition.id);
  const before = state && (await journeys.definition(definition.id, state.currentVersion));
  return { issues: [], warnings, published: checked.published, ...(state ? { current: state.currentVersion } : {}), ...(before ? { differences: diffJourneys(before, definition) } : {}) };
}
