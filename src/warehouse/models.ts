import fs from 'node:fs';
import path from 'node:path';

/** The pipeline's own BigQuery SQL (datasets, bookkeeping, publishing); the models are the dbt project's (warehouse/). */
export const SQL_DIR = path.join(__dirname, 'sql');

export function sqlFile(name: 'setup' | 'publish' | 'publish_prepare'): string {
  return fs.readFileSync(path.join(SQL_DIR, `${name}.sql`), 'utf8');
}
