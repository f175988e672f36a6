import { durationMs, formatDuration } from '../journey/duration';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions, type ScheduleUpdateOptions } from '@temporalio/client';
import type { Config } from '../config';
import { INGESTION_WORKFLOW, type IngestionInput, type IngestionResult } from '../../workflows/pipeline/contract';
import { pipelineSettings } from './settings';
import { SCORE_NAMES } from '../scoring/models';
import { retrainingSettings } from '../scoring/retraining';
import { RETRAINING_WORKFLOW, retrainingWorkflowId, type RetrainingInput, type RetrainingResult } from '../../workflows/pipeline/retraining-contract';
import { md } from '../temporal/markdown';
import { loadAudiences } from '../audiences/catalog';
import { SCORING_WORKFLOW, scoringWorkflowId, type ScoringInput, type ScoringResult } from '../../workflows/pipeline/scoring-contract';
import type { Audience } from '../audiences/schema';
import { AUDIENCE_WORKFLOW, audienceWorkflowId, type AudienceInput, type AudienceMode, type AudienceOutcome } from '../../workflows/pipeline/audience-contract';

/**
 * The pipeline schedules config asks for, and one reconcile step that creates or updates them:
 * running `waymark schedules apply` twice leaves the same schedules.
 */

const OVERLAP = { skip: ScheduleOverlapPolicy.SKIP, buffer_one: ScheduleOverlapPolicy.BUFFER_ONE } as const;

export function desiredSchedules(config: Config): ScheduleOptions[] {
  const p = config.pipeline;
  const input: IngestionInput = { settings: pipelineSettings(config) };
  return [
    {
      scheduleId: p.scheduleId,
      spec: { intervals: [{ every: p.scheduleEveryMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: INGESTION_WORKFLOW,
        // Temporal appends the scheduled time to the id, so each run is findable by its schedule.
        workflowId: `pipeline/${p.scheduleId}`,
        taskQueue: p.taskQueue,
        args: [input],
        // The UI's summary of every run; how each ended is its BatchStatus and current details.
        staticSummary: `Warehouse batch from ${md(p.landingDir)} (schedule ${md(p.scheduleId)}, every ${formatDuration(p.scheduleEveryMs)})`,
      },
      // A batch still running when the next is due: skip (or queue one), never run two at once.
      policies: { overlap: OVERLAP[p.scheduleOverlap], catchupWindow: p.scheduleCatchupWindowMs },
      state: { paused: p.schedulePaused, note: p.schedulePaused ? 'paused by WAYMARK_PIPELINE_SCHEDULE_PAUSED' : undefined },
    },
    ...SCORE_NAMES.map((model) => {
      const t = config.training;
      const input: RetrainingInput = { model, settings: retrainingSettings(config) };
      // Temporal appends the scheduled time: retraining/churn-2026-12-07T00:00:00Z (waymark models approve finds it).
      return skipping(config, { scheduleId: `${t.scheduleId}-${model}`, every: t.scheduleEveryMs, paused: t.schedulePaused, pausedBy: 'WAYMARK_TRAINING_SCHEDULE_PAUSED' }, RETRAINING_WORKFLOW, retrainingWorkflowId(model), input, `Retrain the ${md(model)} model`);
    }),
    ...SCORE_NAMES.map((model) => {
      const s = config.scoring;
      const input: ScoringInput = { model, settings: pipelineSettings(config) };
      return skipping(config, { scheduleId: `${s.scheduleId}-${model}`, every: s.scheduleEveryMs, paused: s.schedulePaused, pausedBy: 'WAYMARK_SCORE_SCHEDULE_PAUSED' }, SCORING_WORKFLOW, scoringWorkflowId(model), input, `Score every customer with the ${md(model)} champion`);
    }),
    ...audienceSchedules(config),
  ];
}

interface Timing {
  scheduleId: string;
  every: number;
  paused: boolean;
  /** The variable that pauses it, named in the schedule's note. */
  pausedBy: string;
}

/**
 * A schedule on the pipelines task queue whose run still going when the next is due (awaiting an
 * approval, scoring, enrolling) makes the next one skip. Its summary names the schedule and interval.
 */
function skipping(config: Config, t: Timing, workflowType: string, workflowId: string, input: unknown, what: string): ScheduleOptions {
  return {
    scheduleId: t.scheduleId,
    spec: { intervals: [{ every: t.every }] },
    action: { type: 'startWorkflow', workflowType, workflowId, taskQueue: config.pipeline.taskQueue, args: [input], staticSummary: `${what} (schedule ${md(t.scheduleId)}, every ${formatDuration(t.every)})` },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.pipeline.scheduleCatchupWindowMs },
    state: { paused: t.paused, note: t.paused ? `paused by ${t.pausedBy}` : undefined },
  };
}

/** Each audience evaluated every WAYMARK_AUDIENCE_REFRESH_EVERY; one with a `schedule` also enrols every member on it. */
function audienceSchedules(config: Config): ScheduleOptions[] {
  const a = config.audiences;
  const schedule = (audience: Audience, mode: AudienceMode, every: number): ScheduleOptions => {
    const scheduleId = `${a.schedulePrefix}-${audience.name}${mode === 'everyone' ? '-enrol' : ''}`;
    const input: AudienceInput = { name: audience.name, mode, settings: pipelineSettings(config) };
    const what = mode === 'everyone' ? `Enrol every member of audience ${md(audience.name)}` : `Evaluate audience ${md(audience.name)}: who came to match enters`;
    return skipping(config, { scheduleId, every, paused: a.schedulePaused, pausedBy: 'WAYMARK_AUDIENCE_SCHEDULE_PAUSED' }, AUDIENCE_WORKFLOW, audienceWorkflowId(audience.name), input, what);
  };
  return [...loadAudiences(config).audiences.values()].flatMap((audience) => [
    schedule(audience, 'changes', a.refreshEveryMs),
    ...(audience.schedule ? [schedule(audience, 'everyone', durationMs(audience.schedule.every)!)] : []),
  ]);
}

/** The update that makes an existing schedule match `desired` (a pure function of both). */
export function updateTo(desired: ScheduleOptions): (current: ScheduleDescription) => ScheduleUpdateOptions {
  return (current) => ({
    ...current,
    spec: desired.spec,
    action: desired.action as ScheduleUpdateOptions['action'],
    policies: { ...current.policies, ...desired.policies },
    state: { ...current.state, paused: desired.state?.paused ?? false, note: desired.state?.note },
  });
}

export interface ScheduleChange {
  scheduleId: string;
  change: 'created' | 'updated';
  /** As config asks: every how long, on which task queue, paused or not. */
  every: string;
  taskQueue: string;
  paused: boolean;
}

export async function applySchedules(client: Client, config: Config): Promise<ScheduleChange[]> {
  const changes: ScheduleChange[] = [];
  for (const desired of desiredSchedules(config)) {
    const every = desired.spec.intervals?.[0]?.every;
    const described = { every: typeof every === 'number' ? formatDuration(every) : String(every), taskQueue: config.pipeline.taskQueue, paused: desired.state?.paused ?? false };
    try {
      await client.schedule.create(desired);
      changes.push({ scheduleId: desired.scheduleId, change: 'created', ...described });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(desired.scheduleId).update(updateTo(desired));
      changes.push({ scheduleId: desired.scheduleId, change: 'updated', ...described });
    }
  }
  return changes;
}

export interface ScheduleView {
  scheduleId: string;
  /** False when `waymark schedules apply` has not created it yet (nothing else is then known). */
  exists: boolean;
  paused: boolean;
  every: string;
  overlap: string;
  next: string[];
  /** `outcome`, for a completed run: what it did with its batch. */
  recent: Array<{ workflowId: string; scheduledAt: string; status: string; outcome?: string }>;
  running: string[];
}

/** A completed run in a few words: a retraining's decision (and what its scoring did); an ingestion's: published (with what it owed customers, and its warnings), quarantined (why), or nothing to do; with the batch's quality score. */
export function outcomeOf(result: IngestionResult | RetrainingResult | AudienceOutcome | ScoringResult): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if ('skipped' in result) return `nothing scored: ${result.skipped}`;
  if ('scoring' in result && !('outcome' in result)) {
    const s = result.scoring;
    return `${s.model}@${s.version} scored ${n(s.scored)}${s.event ? `, ${n(s.crossed)} got ${s.event}` : ''}`;
  }
  if ('audience' in result) return `${n(result.members)} of ${n(result.profiles)} profiles match; ${n(result.entered)} came to match, ${n(result.left)} left; ${n(result.sent)} audience_entered sent`;
  if ('outcome' in result) {
    const scored = result.outcome === 'promoted' && result.scoring ? `; scored ${n(result.scoring.scored)}${result.scoring.event ? `, ${n(result.scoring.crossed)} got ${result.scoring.event}` : ''}` : '';
    return `${result.model}@${result.version} ${result.outcome} by ${result.decidedBy}: ${result.why}${scored}`;
  }
  if (result.status === 'nothing_to_do') return 'nothing to do (no export waiting)';
  const quality = result.quality === undefined ? '' : ` (quality ${result.quality})`;
  if (result.status === 'quarantined') return `quarantined ${result.batchId}${quality}: ${result.reason}`;
  const refused = result.profiles?.refused ? `, ${n(result.profiles.refused)} refused` : '';
  const warnings = result.warnings ? `; warnings: ${result.warnings}` : '';
  return `published ${result.batchId}${quality}: ${n(result.rawRows)} raw rows, ${n(result.profiles?.updated ?? result.attributes)} profiles updated${refused}, ${n(result.eventsSent)} events sent${warnings}`;
}

/** Each pipeline schedule with its next runs and its last runs' outcomes. */
export async function listSchedules(client: Client, config: Config): Promise<ScheduleView[]> {
  const views: ScheduleView[] = [];
  for (const { scheduleId } of desiredSchedules(config)) {
    let d: ScheduleDescription;
    try {
      d = await client.schedule.getHandle(scheduleId).describe();
    } catch {
      views.push({ scheduleId, exists: false, paused: false, every: '', overlap: '', next: [], recent: [], running: [] });
      continue;
    }
    const recent = await Promise.all(
      d.info.recentActions.slice(-5).map(async (a) => {
        const { workflowId, firstExecutionRunId } = a.action.workflow;
        const handle = client.workflow.getHandle(workflowId, firstExecutionRunId);
        const status = await handle.describe().then((w) => w.status.name, () => 'UNKNOWN');
        const outcome = status === 'COMPLETED' ? outcomeOf((await handle.result()) as IngestionResult | RetrainingResult | AudienceOutcome | ScoringResult) : undefined;
        return { workflowId, scheduledAt: a.scheduledAt.toISOString(), status, ...(outcome ? { outcome } : {}) };
      }),
    );
    const interval = d.spec.intervals?.[0]?.every;
    views.push({
      scheduleId,
      exists: true,
      paused: d.state.paused,
      every: typeof interval === 'number' ? formatDuration(interval) : String(interval ?? ''),
      // As WAYMARK_PIPELINE_SCHEDULE_OVERLAP spells it (the client says SKIP, BUFFER_ONE).
      overlap: String(d.policies.overlap).toLowerCase(),
      next: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
      recent,
      // The schedule's own list of running actions can lag its runs: a recent run still running counts too.
      running: [...new Set([...d.info.runningActions.map((r) => r.workflow.workflowId), ...recent.filter((r) => r.status === 'RUNNING').map((r) => r.workflowId)])],
    });
  }
  return views;
}
