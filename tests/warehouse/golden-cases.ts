/**
 * Golden data and queries: BigQuery SQL with the rows BigQuery gives (its documented semantics).
 * golden.test.ts runs each on DuckDB (through the transpile step) and on the BigQuery emulator.
 * Each case names the dialect trap it pins.
 */
export const GOLDEN_SETUP = `
CREATE SCHEMA IF NOT EXISTS golden;
CREATE OR REPLACE TABLE golden.visits (customer STRING, day DATE, plan STRING, pages INT64, errors INT64, email STRING, seen_at TIMESTAMP);
INSERT INTO golden.visits (customer, day, plan, pages, errors, email, seen_at) VALUES
  ('c1', DATE '2026-03-04', 'pro', 3, 0, ' Ada@Example.COM ', TIMESTAMP '2026-03-04 09:00:00+00'),
  ('c1', DATE '2026-03-08', 'pro', 5, 1, 'ada@example.com', TIMESTAMP '2026-03-08 18:30:00+00'),
  ('c2', DATE '2026-03-01', 'free', 0, 0, 'bob@test.org', TIMESTAMP '2026-03-01 00:00:00+00'),
  ('c2', DATE '2026-03-09', 'free', 2, 2, NULL, TIMESTAMP '2026-03-09 23:59:59+00'),
  ('c3', DATE '2026-02-28', 'pro', 7, 0, 'not-an-email', TIMESTAMP '2026-02-28 12:00:00+00');
`;

const WEEKS = [
  { day: '2026-02-28', week: '2026-02-22', dow: 7, month: '2026-02-01' },
  { day: '2026-03-01', week: '2026-03-01', dow: 1, month: '2026-03-01' },
  { day: '2026-03-04', week: '2026-03-01', dow: 4, month: '2026-03-01' },
  { day: '2026-03-08', week: '2026-03-08', dow: 1, month: '2026-03-01' },
  { day: '2026-03-09', week: '2026-03-08', dow: 2, month: '2026-03-01' },
];

export interface GoldenCase {
  trap: string;
  /** An engine that cannot run this case, and why (a known gap of that engine, not of the SQL). */
  skip?: { bigquery?: string; duckdb?: string };
  sql: string;
  params?: Record<string, string | number>;
  rows: Array<Record<string, unknown>>;
}

export const GOLDEN_CASES: GoldenCase[] = [
  {
    trap: 'DATE_SUB/DATE_ADD keep a DATE (DuckDB makes a TIMESTAMP) across a leap day',
    sql: "SELECT DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY) AS before, DATE_ADD(DATE '2024-02-28', INTERVAL 2 DAY) AS after",
    rows: [{ before: '2024-02-29', after: '2024-03-01' }],
  },
  {
    trap: 'DATE_DIFF(later, earlier, DAY) is positive (DuckDB date_diff takes the unit first and the dates the other way round)',
    sql: "SELECT customer, DATE_DIFF(MAX(day), MIN(day), DAY) AS span FROM golden.visits GROUP BY customer ORDER BY customer",
    rows: [{ customer: 'c1', span: 4 }, { customer: 'c2', span: 8 }, { customer: 'c3', span: 0 }],
  },
  {
    trap: 'WEEK(SUNDAY) starts on Sunday (DuckDB: Monday); DAYOFWEEK is 1 for Sunday (DuckDB: 0); DATE_TRUNC keeps a DATE',
    sql: 'SELECT day, DATE_TRUNC(day, WEEK(SUNDAY)) AS week, EXTRACT(DAYOFWEEK FROM day) AS dow, DATE_TRUNC(CAST(day AS DATE), MONTH) AS month FROM golden.visits ORDER BY day',
    rows: WEEKS,
  },
  {
    trap: 'plain WEEK is WEEK(SUNDAY) too',
    sql: 'SELECT day, DATE_TRUNC(day, WEEK) AS week, EXTRACT(DAYOFWEEK FROM day) AS dow, DATE_TRUNC(day, MONTH) AS month FROM golden.visits ORDER BY day',
    rows: WEEKS,
    skip: { bigquery: 'bqemulator 1.4 truncates a DATE column to a Monday-based TIMESTAMP here (BigQuery gives a Sunday DATE); the pipeline SQL writes WEEK(SUNDAY)' },
  },
  {
    trap: 'SAFE_DIVIDE gives NULL on a zero divisor instead of failing; COUNTIF counts the true rows',
    sql: 'SELECT customer, SAFE_DIVIDE(SUM(errors), SUM(pages)) AS error_rate, COUNTIF(pages > 2) AS busy_days FROM golden.visits GROUP BY customer ORDER BY customer',
    rows: [
      { customer: 'c1', error_rate: 0.125, busy_days: 2 },
      { customer: 'c2', error_rate: 1, busy_days: 0 },
      { customer: 'c3', error_rate: 0, busy_days: 1 },
    ],
  },
  {
    trap: 'QUALIFY keeps the latest row per customer; * EXCEPT drops columns',
    sql: 'SELECT * EXCEPT (email, seen_at, errors) FROM golden.visits WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY customer ORDER BY day DESC) = 1 ORDER BY customer',
    rows: [
      { customer: 'c1', day: '2026-03-08', plan: 'pro', pages: 5 },
      { customer: 'c2', day: '2026-03-09', plan: 'free', pages: 2 },
      { customer: 'c3', day: '2026-02-28', plan: 'pro', pages: 7 },
    ],
  },
  {
    trap: 'named parameters (@name) bind values, including one used twice and a DATE passed as text',
    sql: 'SELECT customer, day FROM golden.visits WHERE plan = @plan AND day >= DATE(@since) AND (@plan = \'pro\' OR customer = \'none\') ORDER BY day',
    params: { plan: 'pro', since: '2026-03-01' },
    rows: [{ customer: 'c1', day: '2026-03-04' }, { customer: 'c1', day: '2026-03-08' }],
  },
  {
    trap: 'REGEXP_CONTAINS matches anywhere (polyglot turns it into a full match); REGEXP_REPLACE replaces every match (DuckDB: the first)',
    sql: "SELECT customer, REGEXP_CONTAINS(LOWER(TRIM(email)), r'@[a-z]+\\.') AS has_domain, REGEXP_REPLACE(' a  b   c ', r'\\s+', '_') AS squeezed FROM golden.visits WHERE email IS NOT NULL ORDER BY customer, day",
    rows: [
      { customer: 'c1', has_domain: true, squeezed: '_a_b_c_' },
      { customer: 'c1', has_domain: true, squeezed: '_a_b_c_' },
      { customer: 'c2', has_domain: true, squeezed: '_a_b_c_' },
      { customer: 'c3', has_domain: false, squeezed: '_a_b_c_' },
    ],
  },
  {
    trap: 'SAFE_CAST keeps the UTC offset of a text (DuckDB without ICU drops it) and gives NULL for text that is not a number or a time; TIMESTAMP_DIFF and TIMESTAMP_TRUNC on UTC instants',
    sql: "SELECT SAFE_CAST('12' AS INT64) AS twelve, SAFE_CAST('2026-03-01T10:00:00-05:00' AS TIMESTAMP) AS shifted, SAFE_CAST(' 2026-03-01 10:00:00+00' AS TIMESTAMP) AS padded, SAFE_CAST('twelve' AS INT64) AS bad, SAFE_CAST('2026-13-01 00:00:00' AS TIMESTAMP) AS bad_time, " +
      "TIMESTAMP_DIFF(TIMESTAMP '2026-03-09 23:59:59+00', TIMESTAMP '2026-03-08 18:30:00+00', HOUR) AS hours, TIMESTAMP_TRUNC(TIMESTAMP '2026-03-09 23:59:59+00', DAY) AS midnight",
    rows: [{ twelve: 12, shifted: '2026-03-01T15:00:00.000Z', padded: '2026-03-01T10:00:00.000Z', bad: null, bad_time: null, hours: 29, midnight: '2026-03-09T00:00:00.000Z' }],
  },
];
