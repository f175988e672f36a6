import fs from 'node:fs';
import path from 'node:path';

/** Where the BigQuery SQL lives: files a data engineer reads and reviews, run in name order. */
export const SQL_DIR = path.join(__dirname, 'sql');

export interface Model {
  /** "staging/02_events": the layer and the file. */
  name: string;
  sql: string;
}

function modelsIn(layer: 'staging' | 'marts'): Model[] {
  const dir = path.join(SQL_DIR, layer);
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

export function sqlFile(name: 'setup' | 'publish' | 'publish_prepare'): string {
  return fs.readFileSync(path.join(SQL_DIR, `${name}.sql`), 'utf8');
}
