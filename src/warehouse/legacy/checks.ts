import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { CheckResult } from '../check-results';
import type { Params, Warehouse } from '../port';
import { LEGACY_SQL_DIR } from './models';

const TABLE = z.string().regex(/^waymark_[a-z]+\.[a-z0-9_]+$/, 'must be waymark_<layer>.<table>');
const COLUMN = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a column name');
const named = { name: z.string().regex(/^[a-z0-9_]+$/, 'must be lower_snake_case') };

/**
 * The checks as runs started before 'dbt' (December 2026) run them, frozen: declared in
 * legacy/sql/checks.yaml, each kind's SQL in legacy/sql/checks/<kind>.sql. The checks now are the
 * dbt project's tests (in the .yml beside each model in warehouse/models) and its source freshness.
 */

/** The checks file's shape; identifiers are checked here because they go into the SQL as text. */
const Check = z.discriminatedUnion('kind', [
  z.strictObject({ ...named, kind: z.literal('unique'), table: TABLE, column: COLUMN, by: COLUMN.optional() }),
  z.strictObject({ ...named, kind: z.literal('not_null'), table: TABLE, column: COLUMN }),
  z.strictObject({ ...named, kind: z.literal('email_format'), table: TABLE, column: COLUMN }),
  z.strictObject({ ...named, kind: z.literal('accepted_values'), table: TABLE, column: COLUMN, values: z.array(z.string().regex(/^[^|]+$/)).min(1) }),
  z.strictObject({ ...named, kind: z.literal('relationships'), table: TABLE, column: COLUMN, to: TABLE, field: COLUMN }),
  z.strictObject({ ...named, kind: z.literal('freshness'), table: TABLE, column: COLUMN, max_age_hours: z.number().positive() }),
  z.strictObject({ ...named, kind: z.literal('unreadable_timestamps'), table: TABLE, column: COLUMN, max_share: z.number().min(0).max(1) }),
  z.strictObject({ ...named, kind: z.literal('row_count_anomaly'), min_ratio: z.number().min(0), max_ratio: z.number().positive(), lookback_batches: z.number().int().min(1) }),
]);
export type Check = z.infer<typeof Check>;

export const CHECKS_FILE = path.join(LEGACY_SQL_DIR, 'checks.yaml');

export function loadChecks(file = CHECKS_FILE): Check[] {
  const parsed = z.object({ checks: z.array(Check).min(1) }).safeParse(parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: checks.${issue.path.join('.')} ${issue.message}`);
  }
  const names = parsed.data.checks.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`${file}: two checks are named "${twice}"; names identify results, keep them unique`);
  return parsed.data.checks;
}

/** The batch a check looks at. */
export interface CheckContext {
  batchId: string;
  /** First instant after the batch's as-of day, as text. */
  cutoff: string;
}

/** The check's SQL (its kind's file with the declared identifiers) and its parameters. */
export function checkQuery(check: Check, context: CheckContext): { sql: string; params: Params } {
  const template = fs.readFileSync(path.join(LEGACY_SQL_DIR, 'checks', `${check.kind}.sql`), 'utf8');
  const identifiers: Record<string, string> = { by: "'all'" };
  const params: Params = {};
  for (const [key, value] of Object.entries(check)) {
    if (key === 'name' || key === 'kind') continue;
    if (key === 'values') params.values = (value as string[]).join('|');
    else if (typeof value === 'number') params[key] = value;
    else identifiers[key] = value as string;
  }
  const sql = template.replace(/\{([a-z_]+)\}/g, (_m, key: string) => {
    const identifier = identifiers[key];
    if (identifier === undefined) throw new Error(`check ${check.name}: checks/${check.kind}.sql needs "${key}"`);
    return identifier;
  });
  const code = sql.replace(/--.*$/gm, '');
  if (/@batch_id\b/.test(code)) params.batch_id = context.batchId;
  if (/@cutoff\b/.test(code)) params.cutoff = context.cutoff;
  return { sql, params };
}

/** Runs one check: zero failing rows is a pass. */
export async function runCheck(warehouse: Warehouse, check: Check, context: CheckContext): Promise<CheckResult> {
  const { sql, params } = checkQuery(check, context);
  const body = sql.replace(/^\s*--.*$/gm, '').trim();
  const [count] = await warehouse.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${body}) AS failing`, params);
  const failingRows = count?.n ?? 0;
  const sample = failingRows ? await warehouse.query(`SELECT * FROM (${body}) AS failing LIMIT 3`, params) : [];
  return { name: check.name, failingRows, sample: JSON.stringify(sample) };
}
