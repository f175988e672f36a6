import path from 'node:path';
import { runProcess } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');

/** The lineage page is generated from the dbt project (dbt docs generate): a model changed without it is caught here. */
test('docs/warehouse-lineage.md is the lineage of warehouse/ (npm run docs:lineage writes it)', async () => {
  const { code, stdout, stderr } = await runProcess(process.execPath, ['--import', 'tsx', 'scripts/warehouse-lineage.ts', '--check'], { cwd: ROOT, what: 'warehouse-lineage --check' });
  expect({ code, said: `${stdout}${stderr}`.trim() }).toEqual({ code: 0, said: 'docs/warehouse-lineage.md is up to date' });
});
