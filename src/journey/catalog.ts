import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { PublishedJourney } from './schema';
import { publishJourney } from './publish';
import type { ValidationLimits } from './validate';
import { JourneyValidationError } from './validate';

/** Parses a JSON or YAML journey file; syntax errors name the file and line. */
export function readJourneyFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new JourneyValidationError(file, [{ path: '', message: `is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new JourneyValidationError(file, doc.errors.map((e) => ({ path: '', message: `is not valid YAML: ${e.message}` })));
  }
  return doc.toJS();
}

export const JOURNEY_FILE = /\.(json|ya?ml)$/;

/** The journeys a worker can start, by id: each the one published version in force. */
export class JourneyCatalog {
  private readonly byId = new Map<string, PublishedJourney>();

  constructor(journeys: Iterable<PublishedJourney>) {
    for (const j of journeys) {
      const id = j.definition.id;
      if (this.byId.has(id)) throw new Error(`journey id "${id}" is defined twice; journey ids must be unique`);
      this.byId.set(id, j);
    }
  }

  /** Publishes definitions in memory (the shipped TypeScript journeys) plus every JSON/YAML file in `dir`. */
  static load(definitions: Record<string, unknown>, dir: string, limits: ValidationLimits): JourneyCatalog {
    const published = Object.entries(definitions).map(([source, def]) => publishJourney(def, source, limits));
    if (dir) {
      const files = fs.readdirSync(dir).filter((f) => JOURNEY_FILE.test(f)).sort();
      for (const f of files) published.push(publishJourney(readJourneyFile(path.join(dir, f)), path.join(dir, f), limits));
    }
    return new JourneyCatalog(published);
  }

  get(id: string): PublishedJourney | undefined {
    return this.byId.get(id);
  }

  all(): PublishedJourney[] {
    return [...this.byId.values()];
  }
}
