import * as steps from '../../src/warehouse/batch';
import type { CheckResult } from '../../src/warehouse/check-results';
import type { WarehouseLease } from '../../src/warehouse/lease';
import { loadChecks } from '../../src/warehouse/legacy/checks';
import { transformModels } from '../../src/warehouse/legacy/models';
import { buildModel, checkBatch } from '../../src/warehouse/legacy/steps';
import { runsSideBySide } from '../../src/warehouse/port';
import type { BatchRef, CheckOutcome } from '../../workflows/pipeline/contract';
import { classify } from './classify';
import { runStage } from './heartbeat';

/**
 * The stages of runs started before 'dbt' (workflows/pipeline/legacy/ingestion-by-stage.ts) that
 * dbt does now: the frozen SQL of src/warehouse/legacy, run by this worker. Keep them registered
 * while such a run may still be open.
 */
export function byStageActivities(lease: WarehouseLease) {
  return {
    /** The staging then mart models, in order (each may read the ones before it). */
    async transform(batch: BatchRef): Promise<void> {
      const models = new Map(transformModels().map((m) => [m.name, m]));
      await lease.use((warehouse) =>
        classify(() =>
          runStage('transform', [...models.keys()], 1, async (name) => {
            await buildModel(warehouse, batch, models.get(name)!);
            return null; // kept in the heartbeat as done
          }),
        ),
      );
    },
    /** Every declared check (side by side where the warehouse runs jobs so); their outcomes are recorded with the batch and returned. */
    async runChecks(batch: BatchRef): Promise<CheckOutcome[]> {
      const checks = new Map(loadChecks().map((c) => [c.name, c]));
      return lease.use(async (warehouse) => {
        const lanes = runsSideBySide(warehouse) ? Infinity : 1;
        const results: CheckResult[] = await classify(() => runStage('checks', [...checks.keys()], lanes, (name) => checkBatch(warehouse, batch, checks.get(name)!)));
        await classify(() => steps.recordChecks(warehouse, batch, results));
        return results;
      });
    },
  };
}
