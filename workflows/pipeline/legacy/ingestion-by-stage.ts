import { workflowInfo } from '@temporalio/workflow';
import type { IngestionInput, IngestionResult } from '../contract';
import { activitiesFor, trackProgress } from '../run-context';

/**
 * The ingestion workflow as runs started after 'stages' and before 'dbt' (December 2026) run it,
 * frozen: one activity per stage, the transform and the checks run by the pipeline worker itself
 * on the SQL of src/warehouse/legacy. Do not change it; delete it once no such run can still be
 * open and their recorded histories are retired.
 */
export async function ingestionByStage(input: IngestionInput): Promise<IngestionResult> {
  const act = activitiesFor(input);
  const { progress, show } = trackProgress();
  show('extract');
  const begun = await act.begin(input.batchId, workflowInfo().runId);
  progress.attributesPublishedAt = begun.attributesPublishedAt;
  const { batch } = begun;
  if (!batch) return { status: 'nothing_to_do', attributesPublishedAt: progress.attributesPublishedAt };
  progress.batchId = batch.batchId;

  // How far a stage is goes in its heartbeat: the Temporal UI's pending activity, `waymark schedules list`.
  show('load raw');
  const rawRows = await act.loadRaw(batch);
  show('transform');
  await act.transform(batch);
  show('checks');
  const results = await act.runChecks(batch);

  const failed = results.filter((r) => r.failingRows > 0);
  if (failed.length) {
    show('quarantine');
    const reason = await act.quarantine(batch, failed);
    const age = progress.attributesPublishedAt ? Date.now() - Date.parse(progress.attributesPublishedAt) : undefined;
    return { status: 'quarantined', batchId: batch.batchId, rawRows, reason, attributesPublishedAt: progress.attributesPublishedAt, attributesAgeMs: age };
  }
  show('publish');
  const owed = await act.publish(batch);
  progress.attributesPublishedAt = new Date().toISOString();
  show('merge attributes and send events', 0, owed.attributes + owed.atRisk);
  const [profiles, eventsSent] = await Promise.all([act.mergeAttributes(batch), act.sendEvents(batch, 'health_at_risk')]);
  show('done', eventsSent, eventsSent);
  return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent, profiles };
}
