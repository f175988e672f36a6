import type { Store } from '../store/store';
import type { ScoreName } from './models';
import type { TrainedModel } from './trained-model';

export type ModelStatus = 'challenger' | 'champion' | 'retired' | 'rejected';

/** A registered model without its bytes (what `waymark models` shows). */
export interface ModelVersion {
  model: ScoreName;
  version: number;
  status: ModelStatus;
  kind: TrainedModel['kind'];
  features: TrainedModel['features'];
  metrics: TrainedModel['metrics'];
  segments: TrainedModel['segments'];
  featureStats: TrainedModel['featureStats'];
  training: Pick<TrainedModel, 'trainingWindow' | 'testWindow' | 'rows' | 'dataHash' | 'library' | 'params' | 'drift'>;
  trainedBy: string;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
  decision?: string;
  bytes: number;
}

/** A model_versions row as PostgreSQL gives it: the same fields, in its column names and types. */
type Row = Pick<ModelVersion, 'model' | 'version' | 'status' | 'kind' | 'features' | 'metrics' | 'segments' | 'training' | 'bytes'> & {
  feature_stats: ModelVersion['featureStats'];
  trained_by: string;
  created_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  decision: string | null;
};

const COLUMNS = 'model, version, status, kind, features, metrics, segments, feature_stats, training, trained_by, created_at, decided_at, decided_by, decision, octet_length(onnx) AS bytes';

const toVersion = (r: Row): ModelVersion => ({
  model: r.model,
  version: r.version,
  status: r.status,
  kind: r.kind,
  features: r.features,
  metrics: r.metrics,
  segments: r.segments,
  featureStats: r.feature_stats,
  training: r.training,
  trainedBy: r.trained_by,
  createdAt: r.created_at.toISOString(),
  ...(r.decided_at ? { decidedAt: r.decided_at.toISOString() } : {}),
  ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
  ...(r.decision ? { decision: r.decision } : {}),
  bytes: Number(r.bytes),
});

/** A decision on a version that is not a challenger any more (decided before, by someone or by a timeout). */
export class ModelDecisionError extends Error {
  readonly code = 'MODEL_DECIDED';
}

/**
 * The model registry in the store (migration 0008): every trained model, versioned per model
 * (1, 2, ...), with its figures and training window; at most one champion per model, which is
 * what scores.
 */
export class ModelRegistry {
  /** `store`: the shared store, which also keeps the features models score with (feature-store.ts). */
  constructor(readonly store: Store) {}

  /** Adds a challenger; a retried registration of the same run (`trainedBy`) returns the version it got. */
  async register(trained: TrainedModel, trainedBy: string): Promise<ModelVersion> {
    const { trainingWindow, testWindow, rows, dataHash, library, params, drift } = trained;
    return this.store.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`model_versions:${trained.model}`]);
      const found = await client.query<Row>(`SELECT ${COLUMNS} FROM model_versions WHERE model = $1 AND trained_by = $2`, [trained.model, trainedBy]);
      if (found.rows[0]) return toVersion(found.rows[0]);
      const { rows: inserted } = await client.query<Row>(
        `INSERT INTO model_versions (model, version, status, onnx, kind, features, metrics, segments, feature_stats, training, trained_by)
         SELECT $1, COALESCE(MAX(version), 0) + 1, 'challenger', $2, $3, $4, $5, $6, $7, $8, $9 FROM model_versions WHERE model = $1
         RETURNING ${COLUMNS}`,
        [
          trained.model,
          Buffer.from(trained.onnx, 'base64'),
          trained.kind,
          JSON.stringify(trained.features),
          JSON.stringify(trained.metrics),
          JSON.stringify(trained.segments),
          JSON.stringify(trained.featureStats),
          JSON.stringify({ trainingWindow, testWindow, rows, dataHash, library, params, ...(drift ? { drift } : {}) }),
          trainedBy,
        ],
      );
      return toVersion(inserted[0]!);
    });
  }

  async list(model?: ScoreName): Promise<ModelVersion[]> {
    const { rows } = await this.store.query<Row>(`SELECT ${COLUMNS} FROM model_versions ${model ? 'WHERE model = $1' : ''} ORDER BY model, version DESC`, model ? [model] : []);
    return rows.map(toVersion);
  }

  async get(model: ScoreName, version: number): Promise<ModelVersion | undefined> {
    const { rows } = await this.store.query<Row>(`SELECT ${COLUMNS} FROM model_versions WHERE model = $1 AND version = $2`, [model, version]);
    return rows[0] && toVersion(rows[0]);
  }

  async champion(model: ScoreName): Promise<ModelVersion | undefined> {
    const { rows } = await this.store.query<Row>(`SELECT ${COLUMNS} FROM model_versions WHERE model = $1 AND status = 'champion'`, [model]);
    return rows[0] && toVersion(rows[0]);
  }

  /** The champion's version only: what a scoring process polls to see a promotion. */
  async championVersion(model: ScoreName): Promise<number | undefined> {
    const { rows } = await this.store.query<{ version: number }>(`SELECT version FROM model_versions WHERE model = $1 AND status = 'champion'`, [model]);
    return rows[0]?.version;
  }

  /** What scoring needs of a version: its ONNX bytes, and its features in the order it takes them. */
  async artifact(model: ScoreName, version: number): Promise<{ onnx: Uint8Array; features: TrainedModel['features']; kind: TrainedModel['kind'] } | undefined> {
    const { rows } = await this.store.query<{ onnx: Buffer; features: TrainedModel['features']; kind: TrainedModel['kind'] }>('SELECT onnx, features, kind FROM model_versions WHERE model = $1 AND version = $2', [model, version]);
    return rows[0];
  }

  /**
   * Decides a challenger: promoted (the champion before it retired) or rejected, by whom and why.
   * Deciding the same way again is a no-op (an activity's retry); deciding a version already
   * decided otherwise fails with ModelDecisionError.
   */
  async decide(model: ScoreName, version: number, outcome: 'champion' | 'rejected', by: string, why: string): Promise<ModelVersion> {
    return this.store.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`model_versions:${model}`]);
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM model_versions WHERE model = $1 AND version = $2`, [model, version]);
      const current = rows[0];
      if (!current) throw new ModelDecisionError(`${model} has no version ${version}`);
      if (current.status === outcome && current.decided_by === by) return toVersion(current);
      if (current.status !== 'challenger') throw new ModelDecisionError(`${model}@${version} was decided before (${current.status}, by ${current.decided_by ?? 'nobody'})`);
      if (outcome === 'champion') await client.query(`UPDATE model_versions SET status = 'retired' WHERE model = $1 AND status = 'champion'`, [model]);
      const { rows: updated } = await client.query<Row>(
        `UPDATE model_versions SET status = $3, decided_at = now(), decided_by = $4, decision = $5 WHERE model = $1 AND version = $2 RETURNING ${COLUMNS}`,
        [model, version, outcome, by, why],
      );
      return toVersion(updated[0]!);
    });
  }
}
