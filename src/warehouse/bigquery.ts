import { BigQuery, type Job, type Query } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { firstLine, WarehouseError, type Column, type Params, type Row, type Warehouse } from './port';

export interface BigQueryOptions {
  projectId: string;
  location: string;
  /** Empty for Google's endpoint; an emulator's http://host:port otherwise (no credentials are sent then). */
  apiEndpoint: string;
  /** BigQuery cancels a job running longer than this (its jobTimeoutMs); the activity's retry then runs it again. */
  jobTimeoutMs: number;
  /**
   * A call that starts a job or inserts rows fails, as worth another attempt, when BigQuery has not
   * answered within this; a call that waits for a job, within the job's timeout plus this. A file
   * upload is bounded only by the step's timeout.
   */
  requestTimeoutMs: number;
}

/** HTTP statuses worth another attempt: rate limits, server errors. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

function failure(what: string, err: unknown): WarehouseError {
  const status = (err as { code?: unknown }).code;
  const retryable = typeof status !== 'number' || RETRYABLE_STATUS.has(status);
  return new WarehouseError(`BigQuery failed on ${what}: ${(err as Error).message}`, retryable, { cause: err });
}

/**
 * The client's own `timeout` option does nothing today (its HTTP layer passes it to node-fetch 3,
 * which dropped it: googleapis/google-cloud-node#7998), so every call gets a deadline here. Past
 * it the call fails as worth another attempt; the request under way is abandoned.
 */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new WarehouseError(`BigQuery did not answer ${what} within ${ms / 1000}s`, true)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Values as the port promises them: BigQuery's wrapper objects (timestamps, dates, NUMERIC) as strings and numbers. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('value' in value && typeof (value as { value: unknown }).value === 'string') {
    const text = (value as { value: string }).value;
    return /^\d{4}-\d{2}-\d{2}T/.test(text) ? new Date(text).toISOString() : text;
  }
  if (value.constructor?.name === 'Big') return Number(String(value));
  return value;
}

function plainRows(rows: Row[]): Row[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
}

/** BigQuery needs a type for a NULL parameter; the pipeline's nulls are strings. */
function queryOf(sql: string, params: Params | undefined, location: string, jobTimeoutMs: number): Query {
  const values = params ?? {};
  const types = Object.fromEntries(Object.entries(values).filter(([, v]) => v === null).map(([k]) => [k, 'STRING']));
  return { query: sql, params: values, types, location, useLegacySql: false, jobTimeoutMs };
}

/** The production warehouse, through the official client with its own retries off: Temporal is the retry loop. */
export function openBigQuery(options: BigQueryOptions): Warehouse {
  const { projectId, location, apiEndpoint, jobTimeoutMs, requestTimeoutMs } = options;
  const client = new BigQuery({
    projectId,
    location,
    retryOptions: { autoRetry: false, maxRetries: 0 },
    ...(apiEndpoint ? { apiEndpoint, authClient: new PassThroughClient() } : {}),
  });
  const waitingMs = jobTimeoutMs + requestTimeoutMs;

  async function waitFor(job: Job, what: string): Promise<Job> {
    try {
      await within(waitingMs, `on ${what}`, job.getQueryResults({ maxResults: 0 }));
      return job;
    } catch (err) {
      throw failure(what, err);
    }
  }

  /**
   * Starts the job under `jobId`, or joins the one an earlier attempt started (its answer may have
   * been lost). A job id that ended in failure is never reused: the next free suffix is taken.
   */
  async function startOnce(jobId: string, start: (id: string) => Promise<Job>): Promise<Job> {
    for (let attempt = 0; ; attempt++) {
      const id = attempt ? `${jobId}_r${attempt}` : jobId;
      try {
        return await start(id);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 409) throw err;
        const [metadata] = await client.job(id, { location }).getMetadata();
        if (!metadata.status?.errorResult) return client.job(id, { location });
      }
    }
  }

  return {
    engine: 'bigquery',
    async query<T extends Row>(sql: string, params?: Params) {
      try {
        const [rows] = await within(waitingMs, 'the query', client.query(queryOf(sql, params, location, jobTimeoutMs)));
        return plainRows(rows as Row[]) as T[];
      } catch (err) {
        throw failure(`"${firstLine(sql)}"`, err);
      }
    },
    async execute(sql, { jobId, params }) {
      const what = `"${firstLine(sql)}" (job ${jobId})`;
      let job: Job;
      try {
        job = await within(requestTimeoutMs, 'starting the job', startOnce(jobId, async (id) => (await client.createQueryJob({ ...queryOf(sql, params, location, jobTimeoutMs), jobId: id }))[0]));
      } catch (err) {
        throw failure(what, err);
      }
      await waitFor(job, what);
    },
    async loadNdjson(table, file, columns: Column[], jobId) {
      const [dataset, name] = table.split('.') as [string, string];
      const what = `loading ${file} into ${table} (job ${jobId})`;
      try {
        const job = await startOnce(jobId, async (id) => {
          const [started] = await client.dataset(dataset).table(name).createLoadJob(file, {
            jobId: id,
            sourceFormat: 'NEWLINE_DELIMITED_JSON',
            writeDisposition: 'WRITE_TRUNCATE',
            createDisposition: 'CREATE_IF_NEEDED',
            ignoreUnknownValues: true,
            schema: { fields: columns.map((c) => ({ name: c.name, type: c.type })) },
          });
          return started;
        });
        const [metadata] = await within(waitingMs, 'on the load job', job.promise().then(() => job.getMetadata()));
        if (metadata.status?.errorResult) throw new Error(metadata.status.errorResult.message);
        return Number(metadata.statistics?.load?.outputRows ?? 0);
      } catch (err) {
        throw failure(what, err);
      }
    },
    async insertRows(table, rows) {
      if (!rows.length) return;
      const [dataset, name] = table.split('.') as [string, string];
      try {
        // Our own insertIds (not the client's random ones), so a retried insert is deduplicated by BigQuery.
        const target = client.dataset(dataset).table(name);
        await within(requestTimeoutMs, 'the insert', target.insert(rows.map(({ insertId, row }) => ({ insertId, json: { insert_id: insertId, ...row } })), { raw: true }));
      } catch (err) {
        throw failure(`inserting ${rows.length} rows into ${table}`, err);
      }
    },
    async close() {},
  };
}
