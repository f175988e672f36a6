import fs from 'node:fs';
import path from 'node:path';

/**
 * The staging and mart SQL as runs started before 'dbt' (December 2026) build it, frozen: one file
 * per model, run in name order by the pipeline worker itself. The models now live in the dbt
 * project (warehouse/); change those, never these.
 */
export const LEGACY_SQL_DIR = path.join(__dirname, 'sql');

export interface Model {
  /** "staging/02_events": the layer and the file. */
  name: string;
  sql: string;
}

function modelsIn(layer: 'staging' | 'marts'): Model[] {
  const dir = path.join(LEGACY_SQL_DIR, layer);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ name: `${layer}/${f.replace(/\.sql$/, '')}`, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/** Staging first (each file may read the ones before it), then marts. */
export function transformModels(): Model[] {
  return [...modelsIn('staging'), ...modelsIn('marts')];
}
