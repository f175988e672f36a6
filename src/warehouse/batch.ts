import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult } from './check-results';
import { healthColumns, type HealthParams } from './health-params';
import { sqlFile } from './models';
import { jobIdOf, type Warehouse } from './port';
import { createRawSql, mergeRawSql } from './raw';
import { SOURCE_EXPORTS, loadColumns } from './sources';

/**
 * The pipeline's own steps of one ingestion batch, over the warehouse port (the transform and the
 * checks between them are dbt's, in the Python worker). Each is safe to run again: job ids are
 * derived from the batch and the step, raw rows are merged by key, and publishing is one
 * transaction.
 */

export interface Batch {
  batchId: string;
  /** The export's date, YYYY-MM-DD: marts are computed as of it. */
  asOf: string;
  /** Folder holding the export's files. */
  dir: string;
  files: Array<{ source: string; path: string; bytes: number }>;
  /**
   * The run working on the batch (the workflow's run id): BigQuery job ids are made of it and the
   * step, so an activity's retry joins the job its lost attempt started, and a later run of the
   * same batch runs its own jobs.
   */
  runId: string;
}

const jobOf = (batch: Batch, step: string) => jobIdOf(batch.batchId, batch.runId, step);

/** The first instant after the as-of day, the bound every "as of" query uses. */
export function cutoffOf(batch: Pick<Batch, 'asOf'>): string {
  const next = new Date(Date.parse(`${batch.asOf}T00:00:00Z`) + 86_400_000);
  return next.toISOString().replace('T', ' ').replace('.000Z', '+00');
}

/** Time as text for SAFE_CAST: the batch's as-of cutoff, so a re-run writes the same values. */
const stamp = (batch: Batch) => cutoffOf(batch);

/**
 * Extract: the landing folder's export for `batchId`, or the oldest one not yet published
 * or quarantined. Every declared export must be there; undefined when there is nothing to do.
 */
export async function findBatch(warehouse: Warehouse, landingDir: string, runId: string, batchId?: string): Promise<Batch | undefined> {
  const exports = fs.existsSync(landingDir) ? fs.readdirSync(landingDir).filter((d) => fs.existsSync(path.join(landingDir, d, 'manifest.json'))).sort() : [];
  let id = batchId;
  if (!id) {
    await warehouse.execute(sqlFile('setup'), { jobId: jobIdOf('setup', String(Date.now())) });
    const done = new Set((await warehouse.query<{ batch_id: string }>("SELECT batch_id FROM waymark_ops.batches WHERE status IN ('published', 'quarantined')")).map((r) => r.batch_id));
    id = exports.find((e) => !done.has(e));
    if (!id) return undefined;
  }
  const dir = path.join(landingDir, id);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) throw new Error(`no export "${id}" in ${landingDir} (a folder with a manifest.json)`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { asOf?: unknown };
  if (typeof manifest.asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(manifest.asOf)) throw new Error(`${dir}/manifest.json: asOf must be a date such as "2026-03-31"`);
  const files = SOURCE_EXPORTS.map((s) => {
    const file = path.join(dir, `${s.name}.ndjson`);
    if (!fs.existsSync(file)) throw new Error(`export ${id} lacks ${s.name}.ndjson (${s.system}); every export holds all ${SOURCE_EXPORTS.length} files`);
    return { source: s.name, path: file, bytes: fs.statSync(file).size };
  });
  return { batchId: id, asOf: manifest.asOf, dir, files, runId };
}

/**
 * Datasets and bookkeeping tables; the batch is marked running (a quarantined batch run again is
 * checked again) and written, with the health and lifecycle settings, where dbt reads it.
 */
export async function startBatch(warehouse: Warehouse, batch: Batch, health: HealthParams): Promise<void> {
  await warehouse.execute(sqlFile('setup'), { jobId: jobOf(batch, 'setup') });
  await warehouse.execute(
    `MERGE waymark_ops.batches AS t
     USING (SELECT @batch_id AS batch_id, CAST(@as_of AS DATE) AS as_of, SAFE_CAST(@now AS TIMESTAMP) AS now) AS s ON t.batch_id = s.batch_id
     WHEN MATCHED THEN UPDATE SET status = 'running', reason = NULL, updated_at = s.now
     WHEN NOT MATCHED THEN INSERT (batch_id, as_of, status, reason, updated_at) VALUES (s.batch_id, s.as_of, 'running', NULL, s.now)`,
    { jobId: jobOf(batch, 'start'), params: { batch_id: batch.batchId, as_of: batch.asOf, now: new Date().toISOString() } },
  );
  // What the dbt models read as the batch (warehouse/models/staging/batch_params.sql): a table, not
  // dbt --vars, whose every new value makes dbt parse the whole project again.
  const settings = healthColumns(health);
  await warehouse.execute(
    `CREATE OR REPLACE TABLE waymark_ops.current_batch AS SELECT @batch_id AS batch_id, CAST(@as_of AS DATE) AS as_of, SAFE_CAST(@cutoff AS TIMESTAMP) AS cutoff, ${settings.select}`,
    { jobId: jobOf(batch, 'current'), params: { batch_id: batch.batchId, as_of: batch.asOf, cutoff: cutoffOf(batch), ...settings.params } },
  );
}

/** Load raw: the file into waymark_load, then merged into waymark_raw by row key. Returns the rows in the file. */
export async function loadSource(warehouse: Warehouse, batch: Batch, sourceName: string): Promise<number> {
  const source = SOURCE_EXPORTS.find((s) => s.name === sourceName);
  const file = batch.files.find((f) => f.source === sourceName);
  if (!source || !file) throw new Error(`unknown export "${sourceName}"`);
  const job = (step: string) => jobOf(batch, `${sourceName}_${step}`);
  const rows = await warehouse.loadNdjson(`waymark_load.${source.name}`, file.path, loadColumns(source), job('load'));
  await warehouse.execute(createRawSql(source), { jobId: job('create') });
  await warehouse.execute(mergeRawSql(source), { jobId: job('merge'), params: { batch_id: batch.batchId, loaded_at: stamp(batch) } });
  await warehouse.execute(
    `BEGIN TRANSACTION;
     DELETE FROM waymark_ops.batch_sources WHERE batch_id = @batch_id AND source = @source;
     INSERT INTO waymark_ops.batch_sources (batch_id, source, rows_loaded) VALUES (@batch_id, @source, @rows);
     COMMIT TRANSACTION;`,
    { jobId: job('count'), params: { batch_id: batch.batchId, source: sourceName, rows } },
  );
  return rows;
}

/** Keeps the checks' outcome with the batch and the run, whatever happens next; a retried insert adds nothing. */
export async function recordChecks(warehouse: Warehouse, batch: Batch, results: CheckResult[]): Promise<void> {
  await warehouse.insertRows(
    'waymark_ops.check_results',
    results.map((r) => ({ insertId: `${batch.runId}:${r.name}`, row: { batch_id: batch.batchId, run_id: batch.runId, check_name: r.name, failing_rows: r.failingRows, sample: r.sample } })),
  );
}

/** Quarantine: nothing is published; the batch's raw rows are held back from later builds until it is run again. */
export async function quarantine(warehouse: Warehouse, batch: Batch, reason: string): Promise<void> {
  await warehouse.execute(
    `UPDATE waymark_ops.batches SET status = 'quarantined', reason = @reason, updated_at = SAFE_CAST(@now AS TIMESTAMP) WHERE batch_id = @batch_id`,
    { jobId: jobOf(batch, 'quarantine'), params: { batch_id: batch.batchId, reason, now: new Date().toISOString() } },
  );
}

/** Publish: staging and marts replaced in one transaction, with the customer changes to send (the outbox). */
export async function publish(warehouse: Warehouse, batch: Batch): Promise<{ atRisk: number; attributes: number }> {
  await warehouse.execute(sqlFile('publish_prepare'), { jobId: jobOf(batch, 'publish_prepare') });
  await warehouse.execute(sqlFile('publish'), { jobId: jobOf(batch, 'publish'), params: { batch_id: batch.batchId, now: new Date().toISOString() } });
  const counts = await warehouse.query<{ kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM waymark_ops.outbox WHERE batch_id = @batch_id GROUP BY kind', { batch_id: batch.batchId });
  const count = (kind: string) => counts.find((c) => c.kind === kind)?.n ?? 0;
  return { atRisk: count('health_at_risk'), attributes: count('attributes') };
}

/** What a row of the outbox owes a customer: an event, or attributes for their profile. */
export type OutboxKind = 'health_at_risk' | 'attributes';

export interface OutboxRow {
  customer_id: string;
  kind: OutboxKind;
  email: string | null;
  plan: string;
  company_size: string;
  health_score: number;
  health_category: string;
  reasons: string;
}

/** A page of the batch's outbox (rows of `kind`, or all), in a stable order so a retried step resumes where it stopped. */
export function outboxPage(warehouse: Warehouse, batchId: string, kind: OutboxKind | undefined, offset: number, limit: number): Promise<OutboxRow[]> {
  return warehouse.query<OutboxRow & Record<string, unknown>>(
    `SELECT customer_id, kind, email, plan, company_size, health_score, health_category, reasons FROM waymark_ops.outbox
     WHERE batch_id = @batch_id${kind ? ' AND kind = @kind' : ''} ORDER BY kind, customer_id LIMIT ${Math.floor(limit)} OFFSET ${Math.floor(offset)}`,
    { batch_id: batchId, ...(kind ? { kind } : {}) },
  );
}

/** When the marts journeys read were last published (undefined: never). */
export async function lastPublishedAt(warehouse: Warehouse): Promise<string | undefined> {
  await warehouse.execute(sqlFile('setup'), { jobId: jobIdOf('setup', String(Date.now())) });
  const [row] = await warehouse.query<{ at: string | null }>("SELECT MAX(updated_at) AS at FROM waymark_ops.batches WHERE status = 'published'");
  return row?.at ?? undefined;
}
