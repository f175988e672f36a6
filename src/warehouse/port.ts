/**
 * The warehouse port: what the pipeline needs from BigQuery or DuckDB, and nothing else.
 * Every SQL text given to it is BigQuery SQL (the DuckDB adapter transpiles it); tables are
 * named `dataset.table`, where a dataset is a DuckDB schema.
 */

/** Named parameters (`@name` in the SQL). Dates travel as 'YYYY-MM-DD' strings with a DATE cast in the SQL. */
export type Params = Record<string, string | number | boolean | null>;

export type Row = Record<string, unknown>;

/** Column types the raw and bookkeeping tables use (BigQuery spelling). */
export type ColumnType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'TIMESTAMP' | 'DATE';
export interface Column {
  name: string;
  type: ColumnType;
}

export interface Warehouse {
  readonly engine: 'duckdb' | 'bigquery';
  /** Runs a query and returns its rows, with TIMESTAMP and DATE values as ISO strings and integers as numbers. */
  query<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
  /**
   * Runs a statement or a script (DDL, DML, MERGE, BEGIN TRANSACTION ... COMMIT TRANSACTION).
   * `jobId` must be the same on every retry of the same work: BigQuery then runs it at most once.
   */
  execute(sql: string, options: { jobId: string; params?: Params }): Promise<void>;
  /**
   * Replaces the rows of `table` (created if missing, all columns as declared) with the newline-
   * delimited JSON file's; fields beyond `columns` are ignored. Returns the rows loaded.
   */
  loadNdjson(table: string, file: string, columns: Column[], jobId: string): Promise<number>;
  /** Appends rows; a row whose `insertId` was inserted before is not inserted again. */
  insertRows(table: string, rows: Array<{ insertId: string; row: Row }>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Whether work handed to the warehouse at once runs at once: BigQuery runs jobs side by side;
 * the DuckDB adapter runs one call at a time on its one connection, so there the calls might as
 * well go in order (and each finishes sooner).
 */
export function runsSideBySide(warehouse: Warehouse): boolean {
  return warehouse.engine === 'bigquery';
}

/** A warehouse failure, with the statement's first line so the run's history says which step failed. */
export class WarehouseError extends Error {
  readonly code = 'WAREHOUSE_FAILED';
  /** When another attempt may go (an open circuit), if sooner or later than the step's backoff. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
    this.name = 'WarehouseError';
  }
}

/** A job id BigQuery accepts (letters, digits, '_' and '-', at most 1,024) from any readable key. */
export function jobIdOf(...parts: string[]): string {
  return parts.join('__').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 1024);
}

/** The first line of a statement, for messages. */
export function firstLine(sql: string): string {
  return sql.trim().split('\n').find((l) => l.trim() && !l.trim().startsWith('--'))?.trim().slice(0, 120) ?? '';
}
