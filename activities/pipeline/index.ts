import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../../src/config';
import * as steps from '../../src/warehouse/batch';
import { loadChecks } from '../../src/warehouse/checks';
import { transformModels } from '../../src/warehouse/models';
import { WarehouseError, type Warehouse } from '../../src/warehouse/port';
import { quarantineReason } from '../../src/warehouse/run-batch';
import type { AttributesMerged, BatchBegun, BatchRef, CheckOutcome } from '../../workflows/pipeline/contract';
import { withHeartbeat } from './heartbeat';
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

/** A failure no retry can fix (a bad export, a statement the warehouse refuses) ends the step at once. */
async function classify<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WarehouseError && !err.retryable) throw ApplicationFailure.nonRetryable(err.message, 'BatchInvalid');
    throw err;
  }
}

/** The ingestion workflow's activities: thin wrappers over the batch steps, with heartbeats. */
export function createPipelineActivities({ warehouse, config, submit, profiles }: PipelineDeps) {
  const batchOf = (ref: BatchRef): steps.Batch => ref;
  async function extract(batchId: string | undefined, runId: string): Promise<BatchRef | undefined> {
    try {
      return await steps.findBatch(warehouse, config.pipeline.landingDir, runId, batchId);
    } catch (err) {
      if (err instanceof WarehouseError) throw err;
      throw ApplicationFailure.nonRetryable((err as Error).message, 'BatchInvalid');
    }
  }
  const plan = () => ({ models: transformModels().map((m) => m.name), checks: loadChecks().map((c) => c.name) });
  /** Runs started before begin and the folded steps existed record the checks on their own. A statement the warehouse refuses is not retried. */
  const recordChecksFirst = (batch: BatchRef, checks: CheckOutcome[] | undefined) => (checks ? classify(() => steps.recordChecks(warehouse, batchOf(batch), checks)) : undefined);
  return {
    /** The bookkeeping before the loads in one step: lastPublishedAt, extract, startBatch and plan. */
    async begin(batchId: string | undefined, runId: string): Promise<BatchBegun> {
      const attributesPublishedAt = await steps.lastPublishedAt(warehouse);
      const batch = await extract(batchId, runId);
      if (batch) await steps.startBatch(warehouse, batchOf(batch));
      return { attributesPublishedAt, batch, ...plan() };
    },
    async lastPublishedAt(): Promise<string | undefined> {
      return steps.lastPublishedAt(warehouse);
    },
    extract,
    async startBatch(batch: BatchRef): Promise<void> {
      await steps.startBatch(warehouse, batchOf(batch));
    },
    async loadSource(batch: BatchRef, source: string): Promise<number> {
      return classify(() => withHeartbeat(`load ${source}`, () => steps.loadSource(warehouse, batchOf(batch), source)));
    },
    /** The models and checks, read by the worker (the files are not workflow code). */
    async plan(): Promise<{ models: string[]; checks: string[] }> {
      return plan();
    },
    async buildModel(batch: BatchRef, name: string): Promise<void> {
      const model = transformModels().find((m) => m.name === name);
      if (!model) throw ApplicationFailure.nonRetryable(`no model "${name}" in src/warehouse/sql`, 'BatchInvalid');
      await classify(() => withHeartbeat(name, () => steps.buildModel(warehouse, batchOf(batch), model)));
    },
    async runCheck(batch: BatchRef, name: string): Promise<CheckOutcome> {
      const check = loadChecks().find((c) => c.name === name);
      if (!check) throw ApplicationFailure.nonRetryable(`no check "${name}" in src/warehouse/sql/checks.yaml`, 'BatchInvalid');
      return classify(() => withHeartbeat(`check ${name}`, () => steps.checkBatch(warehouse, batchOf(batch), check)));
    },
    async recordChecks(batch: BatchRef, results: CheckOutcome[]): Promise<void> {
      await steps.recordChecks(warehouse, batchOf(batch), results);
    },
    /** `checks` given: every check's outcome is recorded first (recordChecks folded in). */
    async quarantine(batch: BatchRef, failed: CheckOutcome[], checks?: CheckOutcome[]): Promise<string> {
      await recordChecksFirst(batch, checks);
      const reason = quarantineReason(failed);
      await steps.quarantine(warehouse, batchOf(batch), reason);
      return reason;
    },
    /** `checks` given: every check's outcome is recorded first (recordChecks folded in). */
    async publish(batch: BatchRef, checks?: CheckOutcome[]): Promise<{ atRisk: number; attributes: number }> {
      await recordChecksFirst(batch, checks);
      return classify(() => withHeartbeat('publish', () => steps.publish(warehouse, batchOf(batch))));
    },
    async mergeAttributes(batch: BatchRef): Promise<AttributesMerged> {
      return mergeAttributes(warehouse, profiles, batch.batchId);
    },
    /** `kind` absent: every row of the outbox (runs started before mergeAttributes existed). */
    async sendEvents(batch: BatchRef, kind?: OutboxKind): Promise<number> {
      return sendOutbox(warehouse, config, batch.batchId, kind, submit);
    },
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;
