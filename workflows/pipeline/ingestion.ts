import { ActivityCancellationType, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PipelineActivities } from '../../activities/pipeline';
import { progressQuery, type CheckOutcome, type IngestionInput, type IngestionProgress, type IngestionResult } from './contract';

function activitiesFor(input: IngestionInput) {
  const s = input.settings;
  return proxyActivities<PipelineActivities>({
    startToCloseTimeout: s.stepTimeoutMs,
    heartbeatTimeout: s.heartbeatTimeoutMs,
    // A cancelled run ends once the step under way has stopped, not while it still runs.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // The warehouse being down or slow is retried here, with backoff; the client's own retries are off.
    retry: { initialInterval: s.retryInitialMs, maximumInterval: s.retryMaxIntervalMs, backoffCoefficient: 2, maximumAttempts: s.retryMaxAttempts, nonRetryableErrorTypes: ['BatchInvalid'] },
  });
}

/**
 * One ingestion batch: extract, load raw, transform, check, then publish (and send the customer
 * events it owes) or quarantine. Every step is an activity, so the run's history shows which
 * step and which check did what.
 */
export async function ingestionWorkflow(input: IngestionInput): Promise<IngestionResult> {
  const act = activitiesFor(input);
  const progress: IngestionProgress = { step: 'extract', done: 0, total: 0 };
  const show = (step: string, done = 0, total = 0) => {
    Object.assign(progress, { step, done, total });
    const published = progress.attributesPublishedAt ? `attributes published ${progress.attributesPublishedAt}` : 'nothing published yet';
    setCurrentDetails(`**${step}**${total ? ` ${done}/${total}` : ''} · batch ${progress.batchId ?? '?'} · ${published}`);
  };
  setHandler(progressQuery, () => progress);

  progress.attributesPublishedAt = await act.lastPublishedAt();
  show('extract');
  const batch = await act.extract(input.batchId, workflowInfo().runId);
  if (!batch) return { status: 'nothing_to_do', attributesPublishedAt: progress.attributesPublishedAt };
  progress.batchId = batch.batchId;

  await act.startBatch(batch);
  let rawRows = 0;
  for (const [i, file] of batch.files.entries()) {
    show('load raw', i, batch.files.length);
    rawRows += await act.loadSource(batch, file.source);
  }
  const { models, checks } = await act.plan();
  for (const [i, model] of models.entries()) {
    show('transform', i, models.length);
    await act.buildModel(batch, model);
  }
  const results: CheckOutcome[] = [];
  for (const [i, check] of checks.entries()) {
    show('checks', i, checks.length);
    results.push(await act.runCheck(batch, check));
  }
  await act.recordChecks(batch, results);
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
  show('send events', 0, owed.atRisk + owed.attributes);
  const eventsSent = await act.sendEvents(batch);
  show('done', eventsSent, eventsSent);
  return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent };
}
