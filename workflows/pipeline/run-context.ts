import { ActivityCancellationType, proxyActivities, setCurrentDetails, setHandler, type ActivityOptions } from '@temporalio/workflow';
import type { PipelineActivities } from '../../activities/pipeline';
import { progressQuery, type IngestionInput, type IngestionProgress, type IngestionResult, type PipelineSettings } from './contract';
import type { WarehouseActivities } from './warehouse-remote';

/** The pipeline's activities, with the run's timeouts and retries (from config, carried in the input). */
export function activitiesFor(input: IngestionInput) {
  return proxyActivities<PipelineActivities>(stageOptions(input.settings, ['BatchInvalid']));
}

/** The Python worker's activities (dbt), on its own task queue, with the same timeouts and retries. */
export function warehouseActivitiesFor(input: IngestionInput, taskQueue: string) {
  return proxyActivities<WarehouseActivities>({ ...stageOptions(input.settings, ['BatchInvalid']), taskQueue });
}

/** A pipeline step's timeouts and retries (from config, carried in the run's input); `nonRetryable`: the error types no retry fixes. */
export function stageOptions(s: PipelineSettings, nonRetryable: string[]): ActivityOptions {
  return {
    startToCloseTimeout: s.stepTimeoutMs,
    heartbeatTimeout: s.heartbeatTimeoutMs,
    // A cancelled run ends once the step under way has stopped, not while it still runs.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // The warehouse being down or slow is retried here, with backoff; the client's own retries are off.
    retry: { initialInterval: s.retryInitialMs, maximumInterval: s.retryMaxIntervalMs, backoffCoefficient: 2, maximumAttempts: s.retryMaxAttempts, nonRetryableErrorTypes: nonRetryable },
  };
}

/**
 * Where the run is, answered by the `progress` query and shown as the run's current details:
 * `show(step, done, total)` moves it on.
 */
export function trackProgress() {
  const progress: IngestionProgress = { step: 'extract', done: 0, total: 0 };
  const show = (step: string, done = 0, total = 0) => {
    Object.assign(progress, { step, done, total });
    const published = progress.attributesPublishedAt ? `attributes published ${progress.attributesPublishedAt}` : 'nothing published yet';
    setCurrentDetails(`**${step}**${total ? ` ${done}/${total}` : ''} · batch ${progress.batchId ?? '?'} · ${published}`);
  };
  setHandler(progressQuery, () => progress);
  return { progress, show };
}

/** The run's current details once it has ended: how, and why (the Temporal UI shows them on the run's page). */
export function showOutcome(result: IngestionResult): void {
  const quality = 'quality' in result && result.quality !== undefined ? ` · quality ${result.quality}%` : '';
  switch (result.status) {
    case 'nothing_to_do':
      return setCurrentDetails('**nothing to do**: no export waiting in the landing folder');
    case 'quarantined':
      return setCurrentDetails(`**quarantined** batch ${result.batchId} (${result.rawRows} raw rows${quality}): ${result.reason}`);
    case 'published': {
      const warnings = result.warnings ? ` · warnings: ${result.warnings}` : '';
      return setCurrentDetails(`**published** batch ${result.batchId} (${result.rawRows} raw rows${quality}) · ${result.eventsSent} health_at_risk events${warnings}`);
    }
  }
}
