import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { parseDefinitionText } from '../journey/definition-text';
import { JOURNEY_FILE } from '../journey/journey-file';
import { SHIPPED_AUDIENCES } from '../../journeys/audiences';
import { AudienceSchema, type Audience } from './schema';

/** The audiences known: the shipped ones and the files in `<WAYMARK_JOURNEYS_DIR>/audiences/`, and what was left out and why. */
export interface AudienceCatalog {
  audiences: Map<string, Audience & { source: string }>;
  problems: Array<{ source: string; message: string }>;
}

/** The folder audience files are read from. */
export const audiencesDir = (config: Config) => (config.journeys.dir ? path.join(config.journeys.dir, 'audiences') : '');

export function loadAudiences(config: Config): AudienceCatalog {
  const catalog: AudienceCatalog = { audiences: new Map(), problems: [] };
  const sources: Array<[string, unknown]> = Object.entries(SHIPPED_AUDIENCES).flatMap(([source, list]) => list.map((a): [string, unknown] => [source, a]));
  const dir = audiencesDir(config);
  if (dir && fs.existsSync(dir)) {
    for (const name of fs.readdirSync(dir).filter((f) => JOURNEY_FILE.test(f)).sort()) {
      const file = path.join(dir, name);
      const { value, issue } = parseDefinitionText(file, fs.readFileSync(file, 'utf8'));
      if (issue) catalog.problems.push({ source: file, message: `${issue.message}${issue.line ? ` (line ${issue.line})` : ''}` });
      else sources.push([file, value]);
    }
  }
  for (const [source, value] of sources) {
    const parsed = AudienceSchema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
      catalog.problems.push({ source, message: `is not a valid audience: ${issues}` });
      continue;
    }
    const taken = catalog.audiences.get(parsed.data.name);
    if (taken) {
      catalog.problems.push({ source, message: `audience "${parsed.data.name}" is already defined in ${taken.source}; rename one` });
      continue;
    }
    catalog.audiences.set(parsed.data.name, { ...parsed.data, source });
  }
  return catalog;
}
