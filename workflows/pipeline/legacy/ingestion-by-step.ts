import { patched, workflowInfo } from '@temporalio/workflow';
import type { AttributesMerged, BatchRef, CheckOutcome, IngestionInput, IngestionResult } from '../contract';
import { activitiesFor, trackProgress } from '../run-context';

/**
 * The ingestion workflow as runs started before 'stages' (December 2026) run it, frozen: one
 * activity per source, per model and per check. Do not change it; delete it once no such run can
 * still be open and their recorded histories are retired.
 */
export async function ingestionByStep(input: IngestionInput): Promise<IngestionResult> {
  const act = activitiesFor(input);
  const { progress, show } = trackProgress();
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

  // Since 'fewer-round-trips': one step begins the batch (lastPublishedAt, extract, startBatch,
  // plan), the publish or quarantine step records the checks, and the profiles and the events
  // go side by side. Runs started before take their old steps, marker by marker.
  const folded = patched('fewer-round-trips');
  show('extract');
  let batch: BatchRef | undefined;
  let planned: { models: string[]; checks: string[] } | undefined;
  if (folded) {
    const begun = await act.begin(input.batchId, workflowInfo().runId);
    progress.attributesPublishedAt = begun.attributesPublishedAt;
    ({ batch } = begun);
    planned = begun;
  } else {
    progress.attributesPublishedAt = await act.lastPublishedAt();
    batch = await act.extract(input.batchId, workflowInfo().runId);
    if (batch) await act.startBatch(batch);
  }
  if (!batch) return { status: 'nothing_to_do', attributesPublishedAt: progress.attributesPublishedAt };
  progress.batchId = batch.batchId;

  // Independent steps (the sources' loads, the checks) are scheduled at once, so the worker holds
  // the next while one runs; BigQuery runs them side by side, DuckDB one call at a time.
  // Runs started before 'independent-steps-together': one by one.
  const together = folded || patched('independent-steps-together');
  const each = <T, R>(step: string, items: T[], work: (item: T) => Promise<R>) => (together ? all(step, items, work) : oneByOne(step, items, work));
  const rawRows = (await each('load raw', batch.files, (file) => act.loadSource(batch, file.source))).reduce((a, b) => a + b, 0);
  const { models, checks } = planned ?? (await act.plan());
  await oneByOne('transform', models, (model) => act.buildModel(batch, model));
  const results: CheckOutcome[] = await each('checks', checks, (check) => act.runCheck(batch, check));
  if (!folded) await act.recordChecks(batch, results);
  const recorded = folded ? results : undefined;
  const failed = results.filter((r) => r.failingRows > 0);
  if (failed.length) {
    show('quarantine');
    const reason = await act.quarantine(batch, failed, recorded);
    const age = progress.attributesPublishedAt ? Date.now() - Date.parse(progress.attributesPublishedAt) : undefined;
    return { status: 'quarantined', batchId: batch.batchId, rawRows, reason, attributesPublishedAt: progress.attributesPublishedAt, attributesAgeMs: age };
  }
  show('publish');
  const owed = await act.publish(batch, recorded);
  progress.attributesPublishedAt = new Date().toISOString();
  if (!folded && !patched('attributes-to-profiles')) {
    // Runs that reached this point before the change: the attributes go as events too.
    show('send events', 0, owed.atRisk + owed.attributes);
    const eventsSent = await act.sendEvents(batch);
    show('done', eventsSent, eventsSent);
    return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent };
  }
  let profiles: AttributesMerged;
  let eventsSent: number;
  if (folded) {
    show('merge attributes and send events', 0, owed.attributes + owed.atRisk);
    [profiles, eventsSent] = await Promise.all([act.mergeAttributes(batch), act.sendEvents(batch, 'health_at_risk')]);
  } else {
    show('merge attributes', 0, owed.attributes);
    profiles = await act.mergeAttributes(batch);
    show('send events', 0, owed.atRisk);
    eventsSent = await act.sendEvents(batch, 'health_at_risk');
  }
  show('done', eventsSent, eventsSent);
  return { status: 'published', batchId: batch.batchId, rawRows, ...owed, eventsSent, profiles };
}
