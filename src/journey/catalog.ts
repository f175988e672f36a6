import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';
import type { PublishedJourney } from './schema';
import { sealJourney } from './publish';
import { formatIssue, validateJourney, type ValidationIssue, type ValidationLimits } from './validate';
import { checkJourneyFile, JOURNEY_FILE } from './journey-file';

/** Something wrong with one definition, found while loading: `error` left it out, `warning` did not. */
export interface CatalogProblem {
  /** The file, or the module of a shipped journey. */
  source: string;
  severity: 'error' | 'warning';
  issues: ValidationIssue[];
}

/** A few lines for a log or a terminal, naming the source and each issue's path and line. */
export function formatProblem({ source, severity, issues }: CatalogProblem): string {
  const verdict = severity === 'error' ? 'was not loaded' : 'loaded, with warnings';
  return `${source} ${verdict}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`;
}

/** A valid definition and where it came from, before the catalog takes it. */
export interface Candidate {
  source: string;
  published: PublishedJourney;
  /** The line of its `id`, when it came from a file. */
  idLine?: number;
}

/** An error for every source of an id defined more than once, naming the others. */
export function duplicateIdProblems(candidates: Candidate[]): CatalogProblem[] {
  const byId = new Map<string, Candidate[]>();
  for (const c of candidates) byId.set(c.published.definition.id, [...(byId.get(c.published.definition.id) ?? []), c]);
  return [...byId].flatMap(([id, same]) =>
    same.length < 2
      ? []
      : same.map((c): CatalogProblem => {
          const others = same.filter((o) => o !== c).map((o) => o.source).join(', ');
          const message = `journey id "${id}" is also defined in ${others}; none of them is loaded until each id is used once (rename or remove one)`;
          return { source: c.source, severity: 'error', issues: [{ path: 'id', message, ...(c.idLine ? { line: c.idLine } : {}) }] };
        }),
  );
}

function journeyFilesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => JOURNEY_FILE.test(f)).sort();
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError([`WAYMARK_JOURNEYS_DIR: "${dir}" is not a folder that can be read (${why}); create it, or point the variable at the folder of your journey files`]);
  }
}

/**
 * The journeys a worker can start, by id: each the one published version in force. Loading
 * leaves out what is invalid and keeps the rest: one bad file must not stop every journey.
 */
export class JourneyCatalog {
  private readonly byId = new Map<string, PublishedJourney>();

  /** Throws when two journeys share an id (`load` reports that as a problem instead). */
  constructor(
    journeys: Iterable<PublishedJourney>,
    /** What loading found wrong; publishing reports these. */
    readonly problems: readonly CatalogProblem[] = [],
    /** The file (or shipped module) each journey id came from. */
    private readonly sources: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const j of journeys) {
      const id = j.definition.id;
      if (this.byId.has(id)) throw new Error(`journey id "${id}" is given twice; journey ids must be unique`);
      this.byId.set(id, j);
    }
  }

  /**
   * Publishes definitions in memory (the shipped TypeScript journeys) plus every JSON/YAML file
   * in `dir`. An invalid definition, and every definition of an id used twice, is left out and
   * reported in `problems` with its file; warnings are reported there too.
   */
  static load(definitions: Record<string, unknown>, dir: string, limits: ValidationLimits): JourneyCatalog {
    const problems: CatalogProblem[] = [];
    const candidates: Candidate[] = [];
    const take = (source: string, published: PublishedJourney | undefined, issues: ValidationIssue[], warnings: ValidationIssue[], idLine?: number) => {
      if (issues.length) problems.push({ source, severity: 'error', issues });
      if (warnings.length) problems.push({ source, severity: 'warning', issues: warnings });
      if (published) candidates.push({ source, published, ...(idLine ? { idLine } : {}) });
    };
    for (const [source, definition] of Object.entries(definitions)) {
      const result = validateJourney(definition, limits);
      take(source, result.ok ? sealJourney(result.journey) : undefined, result.ok ? [] : result.issues, result.warnings);
    }
    if (dir) {
      for (const name of journeyFilesIn(dir)) {
        const checked = checkJourneyFile(path.join(dir, name), limits);
        take(path.join(dir, name), checked.published, checked.issues, checked.warnings, checked.lineOf('id'));
      }
    }
    const duplicates = duplicateIdProblems(candidates);
    const refused = new Set(duplicates.map((p) => p.source));
    const kept = candidates.filter((c) => !refused.has(c.source));
    return new JourneyCatalog(
      kept.map((c) => c.published),
      [...problems, ...duplicates],
      new Map(kept.map((c) => [c.published.definition.id, c.source])),
    );
  }

  get(id: string): PublishedJourney | undefined {
    return this.byId.get(id);
  }

  all(): PublishedJourney[] {
    return [...this.byId.values()];
  }

  /** Each journey with the file or module it came from. */
  sourced(): Array<{ published: PublishedJourney; source: string }> {
    return this.all().map((published) => ({ published, source: this.sources.get(published.definition.id) ?? 'unknown' }));
  }
}
