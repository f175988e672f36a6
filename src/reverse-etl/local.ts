import { randomUUID } from 'node:crypto';
import type { BrazeClient } from '../channels/braze/client';
import { BrazeError, BrazeUnknownOutcomeError } from '../channels/braze/errors';
import { TRACK_USERS_MAX_OBJECTS } from '../channels/braze/types';
import { CustomerEvent } from '../events/schema';
import type { ProfileStore } from '../profiles/port';
import { isScoreName, MODELS, type ScoreName } from '../scoring/models';
import type { WarehouseLease } from '../warehouse/lease';
import { ReverseEtlError, type ReverseEtl, type RunStatus, type SyncRunStarted } from './port';

export interface LocalSyncDeps {
  warehouse: WarehouseLease;
  /** WAYMARK_WAREHOUSE_DATASET_PREFIX: the scores tables are <prefix>marts.scores_<model>. */
  datasetPrefix: string;
  profiles: Pick<ProfileStore, 'mergeTraits'>;
  /** Braze's client when the Braze channel is configured (WAYMARK_BRAZE_URL); absent: profiles only. */
  braze?: BrazeClient;
  /** Profiles written per call of the store (WAYMARK_SCORE_BATCH_ROWS). */
  pageRows: number;
}

/** A row of a scores table (activities/pipeline/score-customers.ts writes them). */
type ScoreRow = { customer_id: string; score: number; version: string };

/**
 * The embedded reverse ETL: the sync `scores_<model>` copies the warehouse's table of that name
 * (every customer's latest score and its model version) into each customer's profile, and into
 * their Braze user as custom attributes (/users/track) when Braze is configured: `churn_score`
 * and `churn_score_version`, as scoring names them. A run is done within the activity that
 * starts it; a start while this worker runs the same sync follows that run. Writing the same
 * values again changes nothing, so a retried run is harmless. Only this worker's runs are known
 * to it: their outcomes are kept in memory, the latest per sync.
 */
export class LocalReverseEtl implements ReverseEtl {
  readonly name = 'local';
  private readonly running = new Map<string, { runId: string; ended: Promise<RunStatus> }>();
  private readonly ended = new Map<string, { runId: string; status: RunStatus }>();

  constructor(private readonly deps: LocalSyncDeps) {}

  syncsAfter(model: ScoreName): string[] {
    return [`scores_${model}`];
  }

  async startOrFollow(sync: string): Promise<SyncRunStarted> {
    const model = modelOf(sync);
    const current = this.running.get(sync);
    if (current) return { runId: current.runId, alreadyRunning: true, status: await current.ended };
    const runId = `${sync}-${randomUUID()}`;
    const ended = this.copy(model);
    this.running.set(sync, { runId, ended });
    try {
      const status = await ended;
      this.ended.set(sync, { runId, status });
      return { runId, alreadyRunning: false, status };
    } finally {
      this.running.delete(sync);
    }
  }

  async runStatus(sync: string, runId: string): Promise<RunStatus> {
    modelOf(sync);
    if (this.running.get(sync)?.runId === runId) return { state: 'running', progress: 'copying' };
    const last = this.ended.get(sync);
    if (last?.runId === runId) return last.status;
    throw new ReverseEtlError(`this worker has no local run ${runId} of ${sync}: it keeps its own runs in memory, the latest of each sync`, 'REVERSE_ETL_UNKNOWN_RUN', false);
  }

  private async copy(model: ScoreName): Promise<RunStatus> {
    const { warehouse, datasetPrefix, profiles, braze, pageRows } = this.deps;
    const table = `${datasetPrefix}marts.scores_${model}`;
    const trait = MODELS[model].scores.trait;
    const all = await warehouse.use((w) => w.query<ScoreRow>(`SELECT customer_id, score, version FROM ${table} ORDER BY customer_id`));
    const traitsOf = (r: ScoreRow) => ({ [trait]: r.score, [`${trait}_version`]: r.version });

    // An id the event API would refuse gets no profile and no Braze user.
    const refused: string[] = [];
    const rows = all.filter((r) => {
      const id = CustomerEvent.shape.customerId.safeParse(r.customer_id);
      if (!id.success) refused.push(`${r.customer_id}: customerId: ${id.error.issues[0]!.message}`);
      return id.success;
    });
    let written = 0;
    for (let i = 0; i < rows.length; i += pageRows) {
      const outcome = await profiles.mergeTraits(rows.slice(i, i + pageRows).map((r) => ({ customerId: r.customer_id, traits: traitsOf(r) })));
      written += outcome.updated;
      refused.push(...outcome.refused.map((r) => `${r.customerId}: ${r.reason}`));
    }

    let users = 0;
    const brazeSaid: string[] = [];
    for (let i = 0; braze && i < rows.length; i += TRACK_USERS_MAX_OBJECTS) {
      const page = rows.slice(i, i + TRACK_USERS_MAX_OBJECTS);
      try {
        const answer = await braze.trackUsers({ attributes: page.map((r) => ({ external_id: r.customer_id, ...traitsOf(r) })) });
        users += answer.attributes_processed ?? page.length;
        brazeSaid.push(...(answer.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e))));
      } catch (err) {
        // Braze refusing the request is this run's failure; Braze down or slow is retried (the same attributes again are harmless).
        if (err instanceof BrazeError && err.kind === 'rejected') return { state: 'failed', reason: `${written} profiles written, then ${err.message}` };
        if (err instanceof BrazeError || err instanceof BrazeUnknownOutcomeError) throw new ReverseEtlError(err.message, err.code, true, err instanceof BrazeError ? err.retryAfterMs : undefined);
        throw err;
      }
    }

    const toBraze = braze ? `${users} Braze users` : 'no Braze user (the Braze channel is not configured: WAYMARK_BRAZE_URL)';
    const warnings = [
      ...(refused.length ? [`${refused.length} profiles refused (${refused.slice(0, 3).join('; ')})`] : []),
      ...(brazeSaid.length ? [`Braze: ${brazeSaid.slice(0, 3).join('; ')}`] : []),
    ];
    return { state: 'succeeded', rows: written, summary: `${trait} of ${all.length} customers from ${table}: ${written} profiles, ${toBraze}`, ...(warnings.length ? { warning: warnings.join(' · ') } : {}) };
  }
}

function modelOf(sync: string): ScoreName {
  const model = sync.startsWith('scores_') ? sync.slice('scores_'.length) : '';
  if (!isScoreName(model)) throw new ReverseEtlError(`no local sync named "${sync}": the local syncs are scores_churn, scores_lead and scores_value`, 'REVERSE_ETL_UNKNOWN_SYNC', false);
  return model;
}
