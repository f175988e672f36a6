import fs from 'node:fs';
import path from 'node:path';
import { OrderedPool } from '../../src/api/ordered-pool';
import type { Config } from '../../src/config';
import { CustomerEvent } from '../../src/events/schema';
import type { ProfileStore } from '../../src/profiles/port';
import { FEATURES, MODELS, type Features, type ScoreName } from '../../src/scoring/models';
import { OnnxModel } from '../../src/scoring/onnx';
import type { FeatureStore } from '../../src/scoring/feature-store';
import type { ModelRegistry } from '../../src/scoring/registry';
import type { WarehouseLease } from '../../src/warehouse/lease';
import type { Column } from '../../src/warehouse/port';
import type { ScoringOutcome } from '../../workflows/pipeline/retraining-contract';
import type { SubmitEvent } from './send-events';

type Row = Features & { customer_id: string; feature_date: string };

const SCORE_COLUMNS: Column[] = [
  { name: 'customer_id', type: 'STRING' },
  { name: 'score', type: 'FLOAT64' },
  { name: 'version', type: 'STRING' },
  { name: 'scored_at', type: 'TIMESTAMP' },
];

/** Where a model's latest scores are kept in the warehouse (replaced by each promotion). */
export const scoresTable = (config: Config, model: ScoreName) => `${config.warehouse.datasetPrefix}marts.scores_${model}`;

/**
 * Scores every customer a promoted model is for (its lifecycle stages, customer_360) from their
 * features as of the last published batch (ml_features' newest day), then: writes each score into
 * the customer's profile (`churn_score` and `churn_score_version`, ...), sends the model's high
 * event (churn_risk_high, lead_score_high) to each customer whose score rose to the threshold
 * since the scores before (or who had none), paced as the pipeline's events are, and last replaces
 * the model's scores table. A retry recomputes the same crossings against the same earlier
 * scores; the events' ids are fixed by model version and customer, so the routers drop a resend.
 */
export async function scoreCustomers(
  deps: { config: Config; warehouse: WarehouseLease; registry: ModelRegistry; features: FeatureStore; profiles: Pick<ProfileStore, 'mergeTraits'>; submit: SubmitEvent },
  model: ScoreName,
  version: number,
  beat: (progress: { step: string; done: number; total: number }) => void,
): Promise<ScoringOutcome> {
  const { config, warehouse, registry, features, profiles, submit } = deps;
  const spec = MODELS[model];
  const artifact = await registry.artifact(model, version);
  if (!artifact) throw new Error(`${model}@${version} is not in the registry`);
  const prefix = config.warehouse.datasetPrefix;
  const table = scoresTable(config, model);
  const { rows, before } = await warehouse.use(async (w) => {
    await w.execute(`CREATE TABLE IF NOT EXISTS ${table} (${SCORE_COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')})`, { jobId: `scores-table-${model}` });
    const stages = spec.scores.stages.map((s) => `'${s}'`).join(', ');
    const rows = await w.query<Row>(
      `SELECT f.customer_id, CAST(f.feature_date AS STRING) AS feature_date, ${FEATURES.map((f) => `f.${f}`).join(', ')}
       FROM ${prefix}marts.ml_features AS f
       JOIN ${prefix}staging.customer_360 AS c ON c.customer_id = f.customer_id
       WHERE f.feature_date = (SELECT MAX(feature_date) FROM ${prefix}marts.ml_features) AND c.lifecycle_stage IN (${stages})
       ORDER BY f.customer_id`,
    );
    const before = new Map((await w.query<{ customer_id: string; score: number }>(`SELECT customer_id, score FROM ${table}`)).map((r) => [r.customer_id, r.score]));
    return { rows, before };
  });

  const runtime = await OnnxModel.load(artifact.onnx, artifact.kind, artifact.features.length);
  const scores: Array<{ customerId: string; score: number }> = [];
  try {
    for (let i = 0; i < rows.length; i += config.scoring.batchRows) {
      const page = rows.slice(i, i + config.scoring.batchRows);
      const values = await runtime.predict(page.map((r) => artifact.features.map((f) => (r[f] === null ? null : Number(r[f])))));
      page.forEach((r, j) => scores.push({ customerId: r.customer_id, score: Math.round(values[j]! * 10_000) / 10_000 }));
      beat({ step: 'score', done: scores.length, total: rows.length });
    }
  } finally {
    await runtime.release();
  }

  // The features too, for the journeys' score conditions (src/scoring/feature-store.ts).
  for (let i = 0; i < rows.length; i += config.scoring.batchRows) {
    const page = rows.slice(i, i + config.scoring.batchRows);
    await features.put(page.map((r) => ({ customerId: r.customer_id, asOf: r.feature_date, features: Object.fromEntries(FEATURES.map((f) => [f, r[f] === null ? null : Number(r[f])])) as Features })));
  }

  const label = `${model}@${version}`;
  let written = 0;
  const refused: string[] = [];
  for (let i = 0; i < scores.length; i += config.scoring.batchRows) {
    const page = scores.slice(i, i + config.scoring.batchRows);
    const outcome = await profiles.mergeTraits(page.map((s) => ({ customerId: s.customerId, traits: { [spec.scores.trait]: s.score, [`${spec.scores.trait}_version`]: label } })));
    written += outcome.updated;
    refused.push(...outcome.refused.map((r) => `${r.customerId}: ${r.reason}`));
    beat({ step: 'profiles', done: i + page.length, total: scores.length });
  }

  const threshold = config.scoring.highThreshold;
  const crossed = spec.highEvent ? scores.filter((s) => s.score >= threshold && !((before.get(s.customerId) ?? -1) >= threshold)) : [];
  const at = new Date().toISOString();
  const pool = new OrderedPool(config.pipeline.emitConcurrency);
  const sent = await Promise.all(
    crossed.map((s) =>
      pool.add(s.customerId, () =>
        submit(
          CustomerEvent.parse({
            messageId: `score:${label}:${s.customerId}`,
            type: spec.highEvent,
            customerId: s.customerId,
            timestamp: at,
            properties: { score: s.score, threshold, model: label, ...(before.has(s.customerId) ? { previous: before.get(s.customerId) } : {}) },
          }),
        ),
      ),
    ),
  );
  const failed = sent.find((o) => o.status === 'failed');
  if (failed) throw failed.error;
  beat({ step: 'events', done: crossed.length, total: crossed.length });

  // A load job replaces the table's rows on both engines (BigQuery cannot delete rows it was streamed a moment ago).
  const file = path.join(config.dataDir, `scores-${model}-${version}-${process.pid}.ndjson`);
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, scores.map((s) => JSON.stringify({ customer_id: s.customerId, score: s.score, version: label, scored_at: at })).join('\n'));
  try {
    await warehouse.use((w) => w.loadNdjson(table, file, SCORE_COLUMNS, `scores-${label}`));
  } finally {
    fs.rmSync(file, { force: true });
  }
  return { model, version, scored: scores.length, written, refused: refused.length, examples: refused.slice(0, 5), crossed: crossed.length, event: spec.highEvent, threshold };
}
