import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { qualityScore } from '../../workflows/pipeline/contract';
import type { CheckResult } from './check-results';
import { healthColumns, type HealthParams } from './health-params';
import { sqlFile } from './models';
import { jobIdOf, type Warehouse } from './port';
import { createRawSql, mergeRawSql, rewriteOldKeysSql } from './raw';
import { profileExport, writeReadableLines, type ExportProfile } from './export-profile';
import { schemaChanges, typesText } from './schema-changes';
import { SOURCE_EXPORTS, loadColumns, type SourceExport } from './sources';

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

/** Lines of an export that cannot be read: how many are kept, how much of each, and the share that holds the batch (config `warehouse.rows`). */
export interface RowLimits {
  unreadableMaxShare: number;
  keepLines: number;
  keepChars: number;
}

/**
 * Load raw: the file into waymark_load, then merged into waymark_raw by row key. Before that, the
 * file is read once for what the load would drop without a word: lines that are not JSON objects
 * (kept in waymark_ops.rejected_rows with their reason) and fields added, missing or retyped
 * (waymark_ops.schema_changes); the checks report both (check-results.ts). Returns the rows loaded.
 */
export async function loadSource(warehouse: Warehouse, batch: Batch, sourceName: string, limits: RowLimits): Promise<number> {
  const source = SOURCE_EXPORTS.find((s) => s.name === sourceName);
  const file = batch.files.find((f) => f.source === sourceName);
  if (!source || !file) throw new Error(`unknown export "${sourceName}"`);
  const job = (step: string) => jobOf(batch, `${sourceName}_${step}`);
  const load = (from: string, step: string) => warehouse.loadNdjson(`waymark_load.${source.name}`, from, loadColumns(source), job(step));
  // The read and the load side by side (the read costs about twice the load's time on DuckDB);
  // the few files with unreadable lines are loaded again without them.
  const [profile, loaded] = await Promise.allSettled([profileExport(file.path, limits), load(file.path, 'load')]);
  if (profile.status === 'rejected') throw profile.reason;
  await recordProfile(warehouse, batch, source, profile.value);
  let rows: number;
  if (profile.value.unreadable) rows = await withReadableLines(file.path, (readable) => load(readable, 'load_readable'));
  else if (loaded.status === 'rejected') throw loaded.reason;
  else rows = loaded.value;
  await warehouse.execute(createRawSql(source), { jobId: job('create') });
  await warehouse.execute(rewriteOldKeysSql(source), { jobId: job('rekey') });
  await warehouse.execute(mergeRawSql(source), { jobId: job('merge'), params: { batch_id: batch.batchId, loaded_at: stamp(batch) } });
  await warehouse.execute(
    `BEGIN TRANSACTION;
     DELETE FROM waymark_ops.batch_sources WHERE batch_id = @batch_id AND source = @source;
     INSERT INTO waymark_ops.batch_sources (batch_id, source, rows_loaded, lines, unreadable_lines) VALUES (@batch_id, @source, @rows, @lines, @unreadable);
     COMMIT TRANSACTION;`,
    { jobId: job('count'), params: { batch_id: batch.batchId, source: sourceName, rows, lines: profile.value.lines, unreadable: profile.value.unreadable } },
  );
  return rows;
}

/** `load` of a copy of the file without the lines that are not JSON objects (removed after). */
async function withReadableLines<T>(file: string, load: (file: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-readable-'));
  try {
    const readable = path.join(dir, path.basename(file));
    await writeReadableLines(file, readable);
    return await load(readable);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What an export's read found, kept with the run: each field seen, what changed, the lines that could not be read. */
async function recordProfile(warehouse: Warehouse, batch: Batch, source: SourceExport, profile: ExportProfile): Promise<void> {
  const earlier = await warehouse.query<{ field: string; types: string }>(
    `SELECT field, MAX(types) AS types FROM waymark_ops.export_fields
     WHERE source = @source AND batch_id = (
       SELECT b.batch_id FROM waymark_ops.batches AS b
       WHERE b.status = 'published' AND b.batch_id <> @batch_id AND EXISTS (SELECT 1 FROM waymark_ops.export_fields AS f WHERE f.batch_id = b.batch_id AND f.source = @source)
       ORDER BY b.as_of DESC, b.updated_at DESC, b.batch_id LIMIT 1)
     GROUP BY field`,
    { source: source.name, batch_id: batch.batchId },
  );
  const changes = schemaChanges(source.fields, profile, earlier.length ? new Map(earlier.map((r) => [r.field, r.types])) : undefined);
  // Row ids: the run, the export (a fixed name) and a digest of the field or line: the same read again adds nothing.
  const id = (what: string) => `${batch.runId}:${source.name}:${createHash('sha256').update(what).digest('hex').slice(0, 32)}`;
  const base = { batch_id: batch.batchId, run_id: batch.runId, source: source.name };
  await warehouse.insertRows('waymark_ops.export_fields', [...profile.fields].map(([field, f]) => ({ insertId: id(`field:${field}`), row: { ...base, field, rows_present: f.present, types: typesText(f.types) } })));
  await warehouse.insertRows('waymark_ops.schema_changes', changes.map((c) => ({ insertId: id(`change:${c.field}`), row: { ...base, field: c.field, change_kind: c.change, detail: c.detail } })));
  await warehouse.insertRows('waymark_ops.rejected_rows', profile.kept.map((l) => ({ insertId: id(`line:${l.line}`), row: { ...base, line_number: l.line, reason: l.reason, line_text: l.text } })));
}

/**
 * Keeps the checks' outcome with the batch and the run, whatever happens next (a retried insert
 * adds nothing), and the batch's quality score with the batch.
 */
export async function recordChecks(warehouse: Warehouse, batch: Batch, results: CheckResult[]): Promise<void> {
  await warehouse.insertRows(
    'waymark_ops.check_results',
    results.map((r) => ({
      insertId: `${batch.runId}:${r.name}`,
      row: { batch_id: batch.batchId, run_id: batch.runId, check_name: r.name, failing_rows: r.failingRows, sample: r.sample, advisory: r.advisory === true },
    })),
  );
  await warehouse.execute('UPDATE waymark_ops.batches SET quality_score = @score WHERE batch_id = @batch_id', {
    jobId: jobOf(batch, 'quality'),
    params: { batch_id: batch.batchId, score: qualityScore(results) },
  });
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
