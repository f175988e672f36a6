import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities, sleep, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { ReverseEtlActivities, ReverseEtlPlan, RunFailedDetails, RunGoing } from '../../activities/pipeline/reverse-etl';
import { formatDuration } from '../../src/journey/duration';
import type { ScoreName } from '../../src/scoring/models';
import { md } from '../../src/temporal/markdown';
import type { PipelineSettings } from './contract';
import type { ReverseEtlOutcome, SyncOutcome } from './retraining-contract';
import { stageOptions } from './run-context';

type Act = ActivityInterfaceFor<ReverseEtlActivities>;

/**
 * Reverse ETL after `model`'s promotion: each sync the worker's adapter runs after it gets a run
 * (a new one, or the one already in progress, followed), which is then looked at every poll
 * interval, a workflow timer apart, until it ends or the follow time runs out. The syncs go side
 * by side. A sync that fails is recorded with its reason, never thrown: the promotion stands
 * whatever the syncs do. `show` gets the run's details line as the syncs move.
 */
export async function syncScores(model: ScoreName, settings: PipelineSettings, show: (line: string) => void): Promise<ReverseEtlOutcome> {
  const act: Act = proxyActivities<ReverseEtlActivities>(stageOptions(settings, ['ReverseEtlRunFailed']));
  let plan: ReverseEtlPlan;
  try {
    plan = await act.reverseEtlPlan(model);
  } catch (err) {
    if (isCancellation(err)) throw err;
    return { adapter: 'unknown', syncs: [], failed: reasonOf(err) };
  }
  const now = new Map(plan.syncs.map((sync) => [sync, 'starting']));
  const say = () => show(`**reverse ETL** (${md(plan.adapter)}): ${[...now].map(([sync, what]) => `sync ${md(sync)} ${what}`).join(' · ')}`);
  say();
  const syncs = await Promise.all(
    plan.syncs.map(async (sync) => {
      const outcome = await follow(act, plan, sync, (what) => {
        now.set(sync, what);
        say();
      });
      now.set(sync, syncLine(outcome));
      say();
      return outcome;
    }),
  );
  return { adapter: plan.adapter, syncs };
}

async function follow(act: Act, plan: ReverseEtlPlan, sync: string, note: (what: string) => void): Promise<SyncOutcome> {
  let run: { runId: string; followed: boolean } | undefined;
  try {
    const started = await act.startOrFollowSync(sync);
    run = { runId: started.runId, followed: started.alreadyRunning };
    let status: RunGoing = started.status;
    const until = Date.now() + plan.followMs;
    while (status.state === 'running') {
      const left = until - Date.now();
      if (left <= 0) return { sync, outcome: 'still running', ...run, followedMs: plan.followMs, progress: status.progress };
      note(`${run.followed ? 'followed' : 'triggered'} (run ${md(run.runId)}): ${md(status.progress)}`);
      await sleep(Math.min(plan.pollIntervalMs, left));
      status = await act.syncRunStatus(sync, run.runId);
    }
    return { sync, outcome: 'succeeded', ...run, rows: status.rows, summary: status.summary, ...(status.warning ? { warning: status.warning } : {}) };
  } catch (err) {
    if (isCancellation(err)) throw err;
    const failed = failedRun(err);
    return { sync, outcome: 'failed', ...(failed ? { runId: failed.runId } : {}), ...(run ? run : {}), reason: failed?.reason ?? reasonOf(err) };
  }
}

/** A failed run's details (its activity's ApplicationFailure, ReverseEtlRunFailed). */
function failedRun(err: unknown): RunFailedDetails | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === 'ReverseEtlRunFailed' ? (cause.details?.[0] as RunFailedDetails | undefined) : undefined;
}

/** Why a step failed: the activity's own failure (its last attempt's), not Temporal's wrapper. */
function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** One sync's outcome, for the run's details. */
export function syncLine(o: SyncOutcome): string {
  const how = o.runId ? ` (run ${md(o.runId)}${o.followed ? ', already in progress: followed' : ''})` : '';
  switch (o.outcome) {
    case 'succeeded':
      return `succeeded${how}: ${md(o.summary)}${o.warning ? ` · ${md(o.warning)}` : ''}`;
    case 'failed':
      return `**failed**${how}: ${md(o.reason, 500)}`;
    case 'still running':
      return `still running after ${formatDuration(o.followedMs)}${how}: ${md(o.progress)}`;
  }
}

/** The reverse ETL's outcome, for the run's details. */
export function reverseEtlLine(r: ReverseEtlOutcome): string {
  if (r.failed) return `**reverse ETL** not run: ${md(r.failed, 500)}`;
  if (!r.syncs.length) return `**reverse ETL** (${md(r.adapter)}): no sync to run`;
  return `**reverse ETL** (${md(r.adapter)}): ${r.syncs.map((o) => `sync ${md(o.sync)} ${syncLine(o)}`).join(' · ')}`;
}
