import type { Config } from '../../src/config';
import * as steps from '../../src/warehouse/batch';
import { loadChecks } from '../../src/warehouse/checks';
import { transformModels } from '../../src/warehouse/models';
import { runsSideBySide, type Warehouse } from '../../src/warehouse/port';
import { quarantineReason } from '../../src/warehouse/run-batch';
import type { AttributesMerged, BatchBegun, BatchRef, CheckOutcome } from '../../workflows/pipeline/contract';
import { byStepActivities } from './by-step';
import { classify } from './classify';
import { runStage, withHeartbeat } from './heartbeat';
import { mergeAttributes } from './merge-attributes';
import { sendOutbox, type SubmitEvent } from './send-events';
import type { ProfileStore } from '../../src/profiles/port';
import type { OutboxKind } from '../../src/warehouse/batch';

export interface PipelineDeps {
  /** The warehouse this worker process owns (for DuckDB: the only process with the file open). */
  warehouse: Warehouse;
  config: Config;
  submit: SubmitEvent;
  /** Where the changed attributes go after a publish. */
  profiles: Pick<ProfileStore, 'mergeTraits'>;
}

/** The ingestion workflow's activities, one per stage: thin wrappers over the batch steps, with heartbeats. */
export function createPipelineActivities({ warehouse, config, submit, profiles }: PipelineDeps) {
  // Independent items (sources, checks) all at once where the warehouse runs jobs side by side.
  const independent = runsSideBySide(warehouse) ? Infinity : 1;
  const byStep = byStepActivities(warehouse, config);
  return {
    /** The bookkeeping before the loads: when attributes were last published, extract, the batch marked running, the models and checks. */
    async begin(batchId: string | undefined, runId: string): Promise<BatchBegun> {
      const attributesPublishedAt = await steps.lastPublishedAt(warehouse);
      const batch = await byStep.extract(batchId, runId);
      if (batch) await steps.startBatch(warehouse, batch);
      return { attributesPublishedAt, batch, ...(await byStep.plan()) };
    },
    /** Every source's file into raw (side by side where the warehouse runs jobs so); returns the rows loaded. */
    async loadRaw(batch: BatchRef): Promise<number> {
      const sources = batch.files.map((f) => f.source);
      const rows = await classify(() => runStage('load raw', sources, independent, (source) => steps.loadSource(warehouse, batch, source)));
      return rows.reduce((a, b) => a + b, 0);
    },
    /** The staging then mart models, in order (each may read the ones before it). */
    async transform(batch: BatchRef): Promise<void> {
      const models = new Map(transformModels().map((m) => [m.name, m]));
      await classify(() =>
        runStage('transform', [...models.keys()], 1, async (name) => {
          await steps.buildModel(warehouse, batch, models.get(name)!);
          return null; // kept in the heartbeat as done
        }),
      );
    },
    /** Every declared check (side by side where the warehouse runs jobs so); their outcomes are recorded with the batch and returned. */
    async runChecks(batch: BatchRef): Promise<CheckOutcome[]> {
      const checks = new Map(loadChecks().map((c) => [c.name, c]));
      const results = await classify(() => runStage('checks', [...checks.keys()], independent, (name) => steps.checkBatch(warehouse, batch, checks.get(name)!)));
      await classify(() => steps.recordChecks(warehouse, batch, results));
      return results;
    },
    /** `checks` given (runs started before 'stages'): every check's outcome is recorded first. */
    async quarantine(batch: BatchRef, failed: CheckOutcome[], checks?: CheckOutcome[]): Promise<string> {
      if (checks) await byStep.recordChecks(batch, checks);
      const reason = quarantineReason(failed);
      await steps.quarantine(warehouse, batch, reason);
      return reason;
    },
    /** `checks` given (runs started before 'stages'): every check's outcome is recorded first. */
    async publish(batch: BatchRef, checks?: CheckOutcome[]): Promise<{ atRisk: number; attributes: number }> {
      if (checks) await byStep.recordChecks(batch, checks);
      return classify(() => withHeartbeat('publish', () => steps.publish(warehouse, batch)));
    },
    async mergeAttributes(batch: BatchRef): Promise<AttributesMerged> {
      return mergeAttributes(warehouse, profiles, batch.batchId);
    },
    /** `kind` absent: every row of the outbox (runs started before mergeAttributes existed). */
    async sendEvents(batch: BatchRef, kind?: OutboxKind): Promise<number> {
      return sendOutbox(warehouse, config, batch.batchId, kind, submit);
    },
    ...byStep,
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
