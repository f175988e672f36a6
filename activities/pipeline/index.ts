import { Context } from '@temporalio/activity';
import type { Config } from '../../src/config';
import * as steps from '../../src/warehouse/batch';
import { warehouseBuild } from '../../src/warehouse/build-target';
import { checkResults, quarantineReason } from '../../src/warehouse/check-results';
import type { WarehouseLease } from '../../src/warehouse/lease';
import { runsSideBySide, type Warehouse } from '../../src/warehouse/port';
import type { AttributesMerged, BatchBegun, BatchRef, CheckOutcome } from '../../workflows/pipeline/contract';
import type { BuildResult } from '../../workflows/pipeline/warehouse-remote';
import { byStepActivities } from './by-step';
import { byStageActivities } from './by-stage';
import { classify } from './classify';
import { runStage, withHeartbeat } from './heartbeat';
import { mergeAttributes } from './merge-attributes';
import { sendOutbox, type SubmitEvent } from './send-events';
import type { ProfileStore } from '../../src/profiles/port';
import type { OutboxKind } from '../../src/warehouse/batch';

export interface PipelineDeps {
  /**
   * The warehouse, opened while an activity uses it: with DuckDB the file is then free for dbt
   * (the Python worker) between the pipeline's own stages.
   */
  warehouse: WarehouseLease;
  config: Config;
  submit: SubmitEvent;
  /** Where the changed attributes go after a publish. */
  profiles: Pick<ProfileStore, 'mergeTraits'>;
}

/**
 * The ingestion workflow's TypeScript activities, one per stage: thin wrappers over the batch
 * steps, with heartbeats. The transform (dbt) is the Python worker's (workflows/pipeline/warehouse-remote.ts).
 */
export function createPipelineActivities({ warehouse: lease, config, submit, profiles }: PipelineDeps) {
  /** The activity's work with the warehouse open. */
  const held =
    <A extends unknown[], R>(work: (warehouse: Warehouse, ...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      lease.use((warehouse) => work(warehouse, ...args));
  const byStep = byStepActivities(lease, config);
  return {
    /**
     * The bookkeeping before the loads: when attributes were last published, extract, the batch
     * marked running, and what the Python worker needs to build it. (`models` and `checks`: for
     * runs started before 'stages'.)
     */
    begin: held(async (warehouse, batchId: string | undefined, runId: string): Promise<BatchBegun> => {
      const attributesPublishedAt = await steps.lastPublishedAt(warehouse);
      const batch = await byStep.extract(batchId, runId);
      if (batch) await steps.startBatch(warehouse, batch, config.health);
      return { attributesPublishedAt, batch, ...(batch ? { build: warehouseBuild(config, batch.batchId) } : {}), ...(await byStep.plan()) };
    }),
    /** Every source's file into raw (side by side where the warehouse runs jobs so); returns the rows loaded. */
    loadRaw: held(async (warehouse, batch: BatchRef): Promise<number> => {
      const sources = batch.files.map((f) => f.source);
      const rows = await classify(() => runStage('load raw', sources, runsSideBySide(warehouse) ? Infinity : 1, (source) => steps.loadSource(warehouse, batch, source, config.warehouse.rows)));
      return rows.reduce((a, b) => a + b, 0);
    }),
    /** dbt's tests and freshness measures as the batch's checks: recorded with the batch and the run, and returned. */
    recordTests: held(async (warehouse, batch: BatchRef, build: BuildResult): Promise<CheckOutcome[]> => {
      return classify(() =>
        withHeartbeat('checks', async () => {
          const results = await checkResults(warehouse, build, batch, config.warehouse.rows);
          await steps.recordChecks(warehouse, batch, results);
          return results;
        }),
      );
    }),
    /** `checks` given (runs started before 'stages'): every check's outcome is recorded first. */
    quarantine: held(async (warehouse, batch: BatchRef, failed: CheckOutcome[], checks?: CheckOutcome[]): Promise<string> => {
      if (checks) await classify(() => steps.recordChecks(warehouse, batch, checks));
      const reason = quarantineReason(failed);
      await steps.quarantine(warehouse, batch, reason);
      countBatch('quarantined');
      return reason;
    }),
    /** `checks` given (runs started before 'stages'): every check's outcome is recorded first. */
    publish: held(async (warehouse, batch: BatchRef, checks?: CheckOutcome[]): Promise<{ atRisk: number; attributes: number }> => {
      if (checks) await classify(() => steps.recordChecks(warehouse, batch, checks));
      const published = await classify(() => withHeartbeat('publish', () => steps.publish(warehouse, batch)));
      countBatch('published');
      return published;
    }),
    mergeAttributes: held(async (warehouse, batch: BatchRef): Promise<AttributesMerged> => mergeAttributes(warehouse, profiles, batch.batchId)),
    /** `kind` absent: every row of the outbox (runs started before mergeAttributes existed). */
    sendEvents: held(async (warehouse, batch: BatchRef, kind?: OutboxKind): Promise<number> => sendOutbox(warehouse, config, batch.batchId, kind, submit)),
    ...byStageActivities(lease),
    ...byStep,
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;

/** Batches by how they ended, on the worker's /metrics (an alert watches quarantines: docs/prometheus-alerts.yml). */
function countBatch(status: 'published' | 'quarantined'): void {
  Context.current().metricMeter.createCounter('waymark_pipeline_batches', 'batches', 'Ingestion batches by outcome: published, quarantined').add(1, { status });
}
