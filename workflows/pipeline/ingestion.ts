import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { BatchStatus } from '../../src/temporal/search-attributes';
import { checksSaid, holdingChecks, qualityScore, warningChecks, type IngestionInput, type IngestionResult } from './contract';
import { ingestionByStage } from './legacy/ingestion-by-stage';
import { ingestionByStep } from './legacy/ingestion-by-step';
import { activitiesFor, showOutcome, trackProgress, warehouseActivitiesFor } from './run-context';

/**
 * One ingestion batch, one activity per stage: begin (extract), load raw, then the transform
 * (dbt build of the models and their tests, and dbt source freshness) in the Python worker, the
 * tests' results recorded as the batch's checks, then publish (merge the changed attributes into
 * profiles and send the health_at_risk events, side by side, then the history models) or
 * quarantine. Each stage heartbeats which source or dbt node it has done, and a retried attempt
 * goes on after them; a failure names the source or node.
 */
export async function ingestionWorkflow(input: IngestionInput): Promise<IngestionResult> {
  // Runs started before 'stages', or before 'dbt', finish with the activities they began with.
  if (!patched('stages')) return ingestionByStep(input);
  if (!patched('dbt')) return ingestionByStage(input);
  const result = await ingestBatch(input);
  // How the batch ended, where the Temporal UI's list says COMPLETED for every outcome (runs begun before it: not set).
  if (patched('batch-status')) upsertSearchAttributes([{ key: BatchStatus, value: result.status }]);
  showOutcome(result);
  return result;
}

async function ingestBatch(input: IngestionInput): Promise<IngestionResult> {
  const act = activitiesFor(input);
  const { progress, show } = trackProgress();
  show('extract');
  const begun = await act.begin(input.batchId, workflowInfo().runId);
  progress.attributesPublishedAt = begun.attributesPublishedAt;
  const { batch, build } = begun;
  if (!batch) return { status: 'nothing_to_do', attributesPublishedAt: progress.attributesPublishedAt };
  progress.batchId = batch.batchId;
  // Only a pipeline worker older than 'dbt' (a deploy under way) begins a batch without it.
  if (!build) throw ApplicationFailure.nonRetryable(`batch ${batch.batchId} was begun by a pipeline worker that predates dbt: run it again`, 'BatchInvalid');
  const dbt = warehouseActivitiesFor(input, build.taskQueue);

  // How far a stage is goes in its heartbeat: the Temporal UI's pending activity, `waymark schedules list`
  // ("transform 12/31 (running marts.customer_health)": the Python worker's, for the transform).
  show('load raw');
  const rawRows = await act.loadRaw(batch);
  show('transform');
  const built = await dbt.dbtBuild(build.request);
  show('checks');
  const results = await act.recordTests(batch, built);

  // Runs begun before advisory checks held the batch on any failing check, and report no quality.
  const advisory = patched('advisory-checks');
  const failed = holdingChecks(results, !advisory);
  const quality = advisory ? { quality: qualityScore(results) } : {};
  if (failed.length) {
    show('quarantine');
    const reason = await act.quarantine(batch, failed);
    const age = progress.attributesPublishedAt ? Date.now() - Date.parse(progress.attributesPublishedAt) : undefined;
    return { status: 'quarantined', batchId: batch.batchId, rawRows, reason, attributesPublishedAt: progress.attributesPublishedAt, attributesAgeMs: age, ...quality };
  }
  const warnings = warningChecks(results);
  show('publish');
  const owed = await act.publish(batch);
  progress.attributesPublishedAt = new Date().toISOString();
  show('merge attributes and send events', 0, owed.attributes + owed.atRisk);
  const [profiles, eventsSent] = await Promise.all([act.mergeAttributes(batch), act.sendEvents(batch, 'health_at_risk')]);
  // The features as of this batch join their history (after the customers' attributes: those are what journeys wait for).
  show('history');
  await dbt.dbtHistory(build.request);
  show('done', eventsSent, eventsSent);
  return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent, profiles, ...quality, ...(warnings.length ? { warnings: checksSaid(warnings) } : {}) };
}
