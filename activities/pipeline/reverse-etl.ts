import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Config } from '../../src/config';
import { ReverseEtlError, type ReverseEtl, type RunStatus, type SyncRunStarted } from '../../src/reverse-etl/port';
import type { ScoreName } from '../../src/scoring/models';
import { withHeartbeat } from './heartbeat';

/** What the workflow follows after a promotion: the syncs, and its timers (from the worker's config). */
export interface ReverseEtlPlan {
  /** "hightouch", "local", or "off" (no syncs). */
  adapter: string;
  syncs: string[];
  pollIntervalMs: number;
  followMs: number;
}

/** A run's state as the workflow sees it: a failed run fails its activity instead (ReverseEtlRunFailed). */
export type RunGoing = Exclude<RunStatus, { state: 'failed' }>;
export type RunGoingStarted = SyncRunStarted & { status: RunGoing };

/** The details a failed run's ApplicationFailure carries. */
export interface RunFailedDetails {
  sync: string;
  runId: string;
  reason: string;
}

/**
 * The reverse ETL's activities (workflows/pipeline/reverse-etl.ts follows a run with them): thin
 * wrappers over the configured adapter. A run that failed fails its activity without a retry,
 * with the provider's reason (ReverseEtlRunFailed); a call refused for good (a bad token, an
 * unknown sync) fails without a retry, under the adapter's code (HIGHTOUCH_REJECTED); anything
 * else is retried on the step's policy, not before the provider's hint.
 */
export function createReverseEtlActivities({ config, reverseEtl }: { config: Config; reverseEtl?: ReverseEtl }) {
  const { pollIntervalMs, followMs } = config.reverseEtl;
  const adapter = (): ReverseEtl => {
    if (!reverseEtl) throw ApplicationFailure.nonRetryable('reverse ETL is off on this worker (WAYMARK_REVERSE_ETL=off)', 'ReverseEtlRefused');
    return reverseEtl;
  };
  /** The adapter's call with heartbeats, its failures as Temporal's. */
  const call = async <T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await withHeartbeat(what, () => work(Context.current().cancellationSignal));
    } catch (err) {
      if (!(err instanceof ReverseEtlError)) throw err;
      const hint = err.retryAfterMs === undefined ? {} : { nextRetryDelay: Math.min(err.retryAfterMs, config.pipeline.retryMaxIntervalMs) };
      throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: !err.retryable, ...hint });
    }
  };
  const going = (sync: string, runId: string, status: RunStatus): RunGoing => {
    if (status.state !== 'failed') return status;
    const details: RunFailedDetails = { sync, runId, reason: status.reason };
    throw ApplicationFailure.create({ message: `${adapter().name} sync ${sync}, run ${runId}, failed: ${status.reason}`, type: 'ReverseEtlRunFailed', nonRetryable: true, details: [details] });
  };

  return {
    /** The syncs to run after `model`'s promotion, and how to follow them. */
    async reverseEtlPlan(model: ScoreName): Promise<ReverseEtlPlan> {
      return { adapter: reverseEtl?.name ?? 'off', syncs: reverseEtl?.syncsAfter(model) ?? [], pollIntervalMs, followMs };
    },
    /** Starts a run of `sync`, or follows the one in progress. */
    async startOrFollowSync(sync: string): Promise<RunGoingStarted> {
      const started = await call(`start or follow sync ${sync}`, (signal) => adapter().startOrFollow(sync, signal));
      return { ...started, status: going(sync, started.runId, started.status) };
    },
    /** Where the run `runId` of `sync` is. */
    async syncRunStatus(sync: string, runId: string): Promise<RunGoing> {
      return going(sync, runId, await call(`status of sync ${sync}, run ${runId}`, (signal) => adapter().runStatus(sync, runId, signal)));
    },
  };
}

export type ReverseEtlActivities = ReturnType<typeof createReverseEtlActivities>;
