import { ActivityCancellationType, patched, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
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
 * One ingestion batch: extract, load raw, transform, check, then publish (merge the changed
 * attributes into profiles, send the health_at_risk events) or quarantine. Every step is an
 * activity, so the run's history shows which step and which check did what.
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
  const oneByOne = async <T, R>(step: string, items: T[], work: (item: T) => Promise<R>): Promise<R[]> => {
    const out: R[] = [];
    for (const [i, item] of items.entries()) {
      show(step, i, items.length);
      out.push(await work(item));
    }
    return out;
  };
  const all = <T, R>(step: string, items: T[], work: (item: T) => Promise<R>): Promise<R[]> => {
    let done = 0;
    show(step, 0, items.length);
    return Promise.all(items.map(async (item) => {
      const out = await work(item);
      show(step, ++done, items.length);
      return out;
    }));
  };

  progress.attributesPublishedAt = await act.lastPublishedAt();
  show('extract');
  const batch = await act.extract(input.batchId, workflowInfo().runId);
  if (!batch) return { status: 'nothing_to_do', attributesPublishedAt: progress.attributesPublishedAt };
  progress.batchId = batch.batchId;

  await act.startBatch(batch);
  // Independent steps (the sources' loads, the checks) are scheduled at once; the worker runs
  // as many at a time as the warehouse allows (one for DuckDB). Runs started before: one by one.
  const together = patched('independent-steps-together');
  const each = <T, R>(step: string, items: T[], work: (item: T) => Promise<R>) => (together ? all(step, items, work) : oneByOne(step, items, work));
  const rawRows = (await each('load raw', batch.files, (file) => act.loadSource(batch, file.source))).reduce((a, b) => a + b, 0);
  const { models, checks } = await act.plan();
  await oneByOne('transform', models, (model) => act.buildModel(batch, model));
  const results: CheckOutcome[] = await each('checks', checks, (check) => act.runCheck(batch, check));
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
  if (!patched('attributes-to-profiles')) {
    // Runs that reached this point before the change: the attributes go as events too.
    show('send events', 0, owed.atRisk + owed.attributes);
    const eventsSent = await act.sendEvents(batch);
    show('done', eventsSent, eventsSent);
    return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent };
  }
  show('merge attributes', 0, owed.attributes);
  const profiles = await act.mergeAttributes(batch);
  show('send events', 0, owed.atRisk);
  const eventsSent = await act.sendEvents(batch, 'health_at_risk');
  show('done', eventsSent, eventsSent);
  return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent, profiles };
}
