import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../../src/config';
import * as steps from '../../src/warehouse/batch';
import type { WarehouseLease } from '../../src/warehouse/lease';
import { loadChecks } from '../../src/warehouse/legacy/checks';
import { transformModels } from '../../src/warehouse/legacy/models';
import { buildModel, checkBatch } from '../../src/warehouse/legacy/steps';
import { WarehouseError } from '../../src/warehouse/port';
import type { BatchRef, CheckOutcome } from '../../workflows/pipeline/contract';
import { withHeartbeat } from './heartbeat';
import { classify } from './classify';

/**
 * The activities of runs started before 'stages' (workflows/pipeline/legacy/ingestion-by-step.ts):
 * one per source, per model and per check, and the bookkeeping steps begin now does. Keep them
 * registered while such a run may still be open; `begin` reuses extract and plan.
 */
export function byStepActivities(lease: WarehouseLease, config: Config) {
  return {
    async extract(batchId: string | undefined, runId: string): Promise<BatchRef | undefined> {
      try {
        return await lease.use((warehouse) => steps.findBatch(warehouse, config.pipeline.landingDir, runId, batchId));
      } catch (err) {
        if (err instanceof WarehouseError) throw err;
        throw ApplicationFailure.nonRetryable((err as Error).message, 'BatchInvalid');
      }
    },
    /** The models and checks, read by the worker (the files are not workflow code). */
    async plan(): Promise<{ models: string[]; checks: string[] }> {
      return { models: transformModels().map((m) => m.name), checks: loadChecks().map((c) => c.name) };
    },
    async lastPublishedAt(): Promise<string | undefined> {
      return lease.use((warehouse) => steps.lastPublishedAt(warehouse));
    },
    async startBatch(batch: BatchRef): Promise<void> {
      await lease.use((warehouse) => steps.startBatch(warehouse, batch, config.health));
    },
    async loadSource(batch: BatchRef, source: string): Promise<number> {
      return lease.use((warehouse) => classify(() => withHeartbeat(`load ${source}`, () => steps.loadSource(warehouse, batch, source, config.warehouse.rows))));
    },
    async buildModel(batch: BatchRef, name: string): Promise<void> {
      const model = transformModels().find((m) => m.name === name);
      if (!model) throw ApplicationFailure.nonRetryable(`no model "${name}" in src/warehouse/legacy/sql`, 'BatchInvalid');
      await lease.use((warehouse) => classify(() => withHeartbeat(name, () => buildModel(warehouse, batch, model))));
    },
    async runCheck(batch: BatchRef, name: string): Promise<CheckOutcome> {
      const check = loadChecks().find((c) => c.name === name);
      if (!check) throw ApplicationFailure.nonRetryable(`no check "${name}" in src/warehouse/legacy/sql/checks.yaml`, 'BatchInvalid');
      return lease.use((warehouse) => classify(() => withHeartbeat(`check ${name}`, () => checkBatch(warehouse, batch, check))));
    },
    /** A statement the warehouse refuses is not retried. */
    async recordChecks(batch: BatchRef, results: CheckOutcome[]): Promise<void> {
      await lease.use((warehouse) => classify(() => steps.recordChecks(warehouse, batch, results)));
    },
  };
}
