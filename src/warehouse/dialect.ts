import { Dialect, init, transpile } from '@polyglot-sql/sdk';
import { closingParen, replaceOutsideQuotes, rewriteCalls, splitStatements } from './sql-text';

/**
 * BigQuery SQL to DuckDB SQL: @polyglot-sql/sdk does the translation; the fixes below cover
 * where its output means something else on DuckDB (each is pinned by tests/warehouse/golden.test.ts).
 */

const PARAM_MARK = 'wmparam__';

/** Before translating: BigQuery text in, BigQuery text out. */
function beforeTranslation(sql: string): string {
  // polyglot turns `@name` into ABS(name): carry parameters through as plain identifiers instead.
  let text = replaceOutsideQuotes(sql, /@([A-Za-z_][A-Za-z0-9_]*)/g, (m) => `${PARAM_MARK}${m[1]}`);
  // ARRAY_AGG(... LIMIT n) passes through unchanged and DuckDB refuses it: say so now, with the fix.
  text = rewriteCalls(text, 'ARRAY_AGG', (args, original) => {
    if (/\bLIMIT\b/i.test(args[args.length - 1] ?? '')) {
      throw new Error('ARRAY_AGG(... LIMIT n) does not run on DuckDB: pick rows with QUALIFY ROW_NUMBER() OVER (...) <= n instead');
    }
    return original;
  });
  // DuckDB's FORMAT takes {} placeholders, BigQuery's takes %s: the same call would print the pattern.
  text = rewriteCalls(text, 'FORMAT', () => {
    throw new Error('FORMAT(...) means something else on DuckDB: build the text with CONCAT and CAST instead');
  });
  // DATE_ADD / DATE_SUB / DATE_TRUNC of a DATE give a DATE on BigQuery but a TIMESTAMP on DuckDB.
  for (const fn of ['DATE_ADD', 'DATE_SUB', 'DATE_TRUNC']) {
    text = rewriteCalls(text, fn, (_args, original) => `CAST(${original} AS DATE)`);
  }
  return text;
}

/** After translating: DuckDB text in, DuckDB text out. */
function afterTranslation(sql: string): string {
  let text = sql.replaceAll(PARAM_MARK, '$');
  // BigQuery's WEEK starts on Sunday, DuckDB's on Monday; DuckDB's dayofweek counts from Sunday = 0.
  text = rewriteCalls(text, 'DATE_TRUNC', (args, original) => {
    const unit = args[0] ?? '';
    if (/^'WEEK(\(SUNDAY\))?'$/i.test(unit)) return `(CAST(${args[1]} AS DATE) - CAST(DAYOFWEEK(${args[1]}) AS INTEGER))`;
    if (/^'WEEK\(/i.test(unit)) throw new Error(`DATE_TRUNC to ${unit.slice(1, -1)} is not supported on DuckDB here: use WEEK (Sunday) or ISOWEEK`);
    return original;
  });
  // BigQuery's DAYOFWEEK is 1 (Sunday) to 7; DuckDB's is 0 to 6.
  text = rewriteCalls(text, 'EXTRACT', (args, original) => (/^DAYOFWEEK\s+FROM\b/i.test(args[0] ?? '') ? `(${original} + 1)` : original));
  // Without the ICU extension DuckDB drops a text's UTC offset when casting to TIMESTAMP; through TIMESTAMPTZ it keeps it.
  text = rewriteCalls(text, 'TRY_CAST', (args, original) => {
    const [, value] = /^([\s\S]+)\s+AS\s+TIMESTAMP$/i.exec(args[0] ?? '') ?? [];
    return value && args.length === 1 ? `TRY_CAST(TRY_CAST(${value} AS TIMESTAMPTZ) AS TIMESTAMP)` : original;
  });
  // REGEXP_CONTAINS finds a match anywhere; polyglot's REGEXP_FULL_MATCH wants the whole string.
  text = rewriteCalls(text, 'REGEXP_FULL_MATCH', (args) => `REGEXP_MATCHES(${args.join(', ')})`);
  // BigQuery's REGEXP_REPLACE replaces every match; DuckDB's only the first unless told 'g'.
  text = rewriteCalls(text, 'REGEXP_REPLACE', (args, original) => (args.length === 3 ? `REGEXP_REPLACE(${args.join(', ')}, 'g')` : original));
  return text;
}

function translate(bigquerySql: string): string[] {
  const result = transpile(bigquerySql, Dialect.BigQuery, Dialect.DuckDB);
  if (!result.success || !result.sql) throw new Error(`cannot translate to DuckDB: ${result.error ?? 'unknown error'}`);
  return result.sql;
}

/**
 * polyglot passes a MERGE through untranslated: translate its USING (SELECT ...) on its own.
 * The WHEN clauses stay as written, so they must keep to plain column references.
 */
function translateMerge(statement: string): string {
  const using = /\bUSING\s*\(/i.exec(statement);
  if (!using) throw new Error('a MERGE must read from USING (SELECT ...) to run on DuckDB');
  const open = using.index + using[0].length - 1;
  const close = closingParen(statement, open);
  const source = translate(statement.slice(open + 1, close));
  const head = statement.slice(0, open + 1).replace(/^\s*MERGE\s+(?!INTO\b)/i, 'MERGE INTO ');
  return `${head}${source[0]}${statement.slice(close)}`;
}

let ready: Promise<void> | undefined;
const cache = new Map<string, string[]>();

/** The DuckDB statements for one BigQuery SQL text (a script gives several). */
export async function toDuckDb(bigquerySql: string): Promise<string[]> {
  const hit = cache.get(bigquerySql);
  if (hit) return hit;
  await (ready ??= init());
  const statements = splitStatements(beforeTranslation(bigquerySql))
    .flatMap((statement) => (/^\s*MERGE\b/i.test(statement) ? [translateMerge(statement)] : translate(statement)))
    .map(afterTranslation);
  cache.set(bigquerySql, statements);
  return statements;
}

/** The `$name` parameters a DuckDB statement uses. */
export function parametersOf(duckdbSql: string): string[] {
  const names = new Set<string>();
  replaceOutsideQuotes(duckdbSql, /\$([A-Za-z_][A-Za-z0-9_]*)/g, (m) => {
    names.add(m[1]!);
    return m[0];
  });
  return [...names];
}
