import { ApplicationFailure } from '@temporalio/activity';
import type { Config } from '../../src/config';
import * as steps from '../../src/warehouse/batch';
import { loadChecks } from '../../src/warehouse/checks';
import { transformModels } from '../../src/warehouse/models';
import { WarehouseError, type Warehouse } from '../../src/warehouse/port';
import type { BatchRef, CheckOutcome } from '../../workflows/pipeline/contract';
import { withHeartbeat } from './heartbeat';
import { classify } from './classify';

/**
 * The activities of runs started before 'stages' (workflows/pipeline/legacy/ingestion-by-step.ts):
 * one per source, per model and per check, and the bookkeeping steps begin now does. Keep them
 * registered while such a run may still be open; `begin` reuses extract and plan.
 */
export function byStepActivities(warehouse: Warehouse, config: Config) {
  return {
    async extract(batchId: string | undefined, runId: string): Promise<BatchRef | undefined> {
      try {
        return await steps.findBatch(warehouse, config.pipeline.landingDir, runId, batchId);
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
      return steps.lastPublishedAt(warehouse);
    },
    async startBatch(batch: BatchRef): Promise<void> {
      await steps.startBatch(warehouse, batch);
    },
    async loadSource(batch: BatchRef, source: string): Promise<number> {
      return classify(() => withHeartbeat(`load ${source}`, () => steps.loadSource(warehouse, batch, source)));
    },
    async buildModel(batch: BatchRef, name: string): Promise<void> {
      const model = transformModels().find((m) => m.name === name);
      if (!model) throw ApplicationFailure.nonRetryable(`no model "${name}" in src/warehouse/sql`, 'BatchInvalid');
      await classify(() => withHeartbeat(name, () => steps.buildModel(warehouse, batch, model)));
    },
    async runCheck(batch: BatchRef, name: string): Promise<CheckOutcome> {
      const check = loadChecks().find((c) => c.name === name);
      if (!check) throw ApplicationFailure.nonRetryable(`no check "${name}" in src/warehouse/sql/checks.yaml`, 'BatchInvalid');
      return classify(() => withHeartbeat(`check ${name}`, () => steps.checkBatch(warehouse, batch, check)));
    },
    /** A statement the warehouse refuses is not retried. */
    async recordChecks(batch: BatchRef, results: CheckOutcome[]): Promise<void> {
      await classify(() => steps.recordChecks(warehouse, batch, results));
    },
  };
}
