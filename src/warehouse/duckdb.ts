import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { parametersOf, toDuckDb } from './dialect';
import { firstLine, WarehouseError, type Column, type Params, type Row, type Warehouse } from './port';

const DUCK_TYPES: Record<Column['type'], string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
};

const NUMERIC = new Set([DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.DECIMAL, DuckDBTypeId.INTEGER, DuckDBTypeId.SMALLINT, DuckDBTypeId.TINYINT, DuckDBTypeId.DOUBLE, DuckDBTypeId.FLOAT]);
const TIMESTAMPS = new Set([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_TZ, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_NS]);

/** Rows as the port promises them: numbers as numbers, timestamps as ISO strings in UTC. */
function rowsOf(result: DuckDBResultReader): Row[] {
  const types = result.columnTypes().map((t) => t.typeId);
  const names = result.columnNames();
  return result.getRowsJson().map((values) => {
    const row: Row = {};
    values.forEach((value, i) => {
      const type = types[i]!;
      if (value === null) row[names[i]!] = null;
      else if (NUMERIC.has(type)) row[names[i]!] = Number(value);
      else if (TIMESTAMPS.has(type)) row[names[i]!] = new Date(`${String(value).replace(' ', 'T').replace(/(\+00(:00)?)?$/, '')}Z`).toISOString();
      else row[names[i]!] = value;
    });
    return row;
  });
}

/** `table` is `dataset.table`: the dataset becomes a DuckDB schema. */
function schemaOf(table: string): string {
  const [schema] = table.split('.');
  if (!schema || !/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new Error(`table must be "dataset.table", got "${table}"`);
  return schema;
}

/**
 * The embedded warehouse: one DuckDB file, opened by one process at a time (DuckDB locks it).
 * The pipeline worker owns it; see docs/warehouse.md. `readOnly`: to look (the CLI), never to build.
 */
export async function openDuckDb(file: string, { readOnly = false }: { readOnly?: boolean } = {}): Promise<Warehouse> {
  if (readOnly && !fs.existsSync(file)) throw new WarehouseError(`no DuckDB file ${file}: no batch has been run on this warehouse yet (waymark schedules trigger)`, false);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  let instance: DuckDBInstance;
  try {
    // Without the ICU extension (a download CI cannot make) DuckDB's TIMESTAMP has no zone: every value is UTC.
    instance = await DuckDBInstance.create(file, readOnly ? { access_mode: 'READ_ONLY' } : undefined);
  } catch (err) {
    const message = (err as Error).message;
    const hint = /lock/i.test(message) ? ' (one process at a time can open it: stop the other one, usually the pipeline worker)' : '';
    throw new WarehouseError(`cannot open the DuckDB file ${file}: ${message}${hint}`, false, { cause: err });
  }
  const connection: DuckDBConnection = await instance.connect();
  const schemas = new Set<string>();
  // One call at a time on the connection: a script's statements (BEGIN ... COMMIT) never
  // interleave with another call's, as each BigQuery job is atomic. The worker may still hold
  // several steps at once, so the next one is fetched while this one runs.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = tail.then(work, work);
    tail = turn.catch(() => undefined);
    return turn;
  };

  async function ensureSchema(table: string): Promise<void> {
    const schema = schemaOf(table);
    if (schemas.has(schema)) return;
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    schemas.add(schema);
  }

  async function run(sql: string, params: Params = {}): Promise<DuckDBResultReader | undefined> {
    let last: DuckDBResultReader | undefined;
    try {
      for (const statement of await toDuckDb(sql)) {
        const values = Object.fromEntries(parametersOf(statement).map((name) => {
          if (!(name in params)) throw new Error(`parameter @${name} has no value`);
          return [name, params[name] ?? null];
        }));
        last = await connection.runAndReadAll(statement, values as never);
      }
    } catch (err) {
      if (/TRANSACTION|ROLLBACK/i.test(sql)) await connection.run('ROLLBACK').catch(() => undefined);
      throw new WarehouseError(`DuckDB failed on "${firstLine(sql)}": ${(err as Error).message}`, false, { cause: err });
    }
    return last;
  }

  return {
    engine: 'duckdb',
    query<T extends Row>(sql: string, params?: Params) {
      return exclusive(async () => {
        const result = await run(sql, params);
        return (result ? rowsOf(result) : []) as T[];
      });
    },
    execute(sql, { params }) {
      return exclusive(async () => {
        await run(sql, params);
      });
    },
    loadNdjson: (table, file, columns) => exclusive(async () => {
      await ensureSchema(table);
      const spec = columns.map((c) => `'${c.name}': '${DUCK_TYPES[c.type]}'`).join(', ');
      const names = columns.map((c) => c.name).join(', ');
      try {
        // Values that do not fit a column become NULL rather than failing the load, as in BigQuery with ignoreUnknownValues.
        await connection.run(
          `CREATE OR REPLACE TABLE ${table} AS SELECT ${names} FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', columns = {${spec}}, ignore_errors = true)`,
        );
        const result = await connection.runAndReadAll(`SELECT COUNT(*) AS n FROM ${table}`);
        return Number(result.getRows()[0]![0]);
      } catch (err) {
        throw new WarehouseError(`DuckDB could not load ${file} into ${table}: ${(err as Error).message}`, false, { cause: err });
      }
    }),
    insertRows: (table, rows) => exclusive(async () => {
      if (!rows.length) return;
      const columns = Object.keys(rows[0]!.row);
      const values = rows.map(({ insertId, row }) => [insertId, ...columns.map((c) => row[c])]);
      // The table keeps each row's insertId in its insert_id column: a row already present under it is skipped.
      const literal = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
      await ensureSchema(table);
      await connection.run(
        `INSERT INTO ${table} (insert_id, ${columns.join(', ')}) SELECT * FROM (VALUES ${values.map((v) => `(${v.map(literal).join(', ')})`).join(', ')}) AS v ` +
          `WHERE v.col0 NOT IN (SELECT insert_id FROM ${table})`,
      );
    }),
    close: () => exclusive(async () => {
      connection.closeSync();
      instance.closeSync();
    }),
  };
}
