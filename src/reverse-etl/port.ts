import type { ScoreName } from '../scoring/models';

/**
 * The reverse ETL port: what sends the warehouse's scores on to the tools people work in once a
 * model is promoted (Hightouch, or the local sync into profiles and Braze). Every adapter passes
 * tests/reverse-etl/contract.ts. Types only besides the error: the workflow imports them.
 */
export interface ReverseEtl {
  /** What runs the syncs ("hightouch", "local"), as the run's result names it. */
  readonly name: string;
  /** The syncs to run once `model`'s new scores are in the warehouse. */
  syncsAfter(model: ScoreName): string[];
  /**
   * Starts a run of `sync`, or follows the one already in progress (never a second run beside
   * it): its id, whether it was already running, and its state now. Fails with ReverseEtlError.
   */
  startOrFollow(sync: string, signal?: AbortSignal): Promise<SyncRunStarted>;
  /** Where the run `runId` of `sync` is. Fails with ReverseEtlError. */
  runStatus(sync: string, runId: string, signal?: AbortSignal): Promise<RunStatus>;
}

export interface SyncRunStarted {
  runId: string;
  /** A run was already in progress: it is the one followed, none was started. */
  alreadyRunning: boolean;
  status: RunStatus;
}

export type RunStatus =
  /** `progress`: what the provider says it is doing, in a few words. */
  | { state: 'running'; progress: string }
  /** `rows`: rows the destination took; `summary`: what the run did, in a sentence; `warning`: what it left undone. */
  | { state: 'succeeded'; rows: number; summary: string; warning?: string }
  /** `reason`: the provider's own words. */
  | { state: 'failed'; reason: string };

/**
 * A call about a sync failed (the run's own failure is a RunStatus): `retryable` when a later
 * attempt may succeed (a rate limit, the provider down, no answer in time), not when the request
 * itself is wrong (a bad token, an unknown sync). `retryAfterMs`: the provider's own hint.
 */
export class ReverseEtlError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ReverseEtlError';
  }
}
