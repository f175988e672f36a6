import { defineQuery } from '@temporalio/workflow';
import type { WarehouseBuild } from './warehouse-remote';

/** What the ingestion workflow, its activities, the CLI and the schedules share. Definitions only. */

export const INGESTION_WORKFLOW = 'ingestionWorkflow';

/** Timeouts and retries from config, carried in the input (workflow code reads no environment). */
export interface PipelineSettings {
  stepTimeoutMs: number;
  heartbeatTimeoutMs: number;
  retryInitialMs: number;
  retryMaxIntervalMs: number;
  retryMaxAttempts: number;
}

export interface IngestionInput {
  settings: PipelineSettings;
  /** An export in the landing folder; absent: the oldest one not yet published or quarantined. */
  batchId?: string;
}

export interface BatchRef {
  batchId: string;
  asOf: string;
  dir: string;
  files: Array<{ source: string; path: string; bytes: number }>;
  runId: string;
}

export interface CheckOutcome {
  name: string;
  failingRows: number;
  sample: string;
  /** Reported without holding the batch (an export past its freshness warning); absent: holds it when failing. */
  advisory?: boolean;
}

/** The failing checks that hold a batch back; `advisoryHolds`: runs begun before advisory checks, where every failing check held. */
export function holdingChecks(checks: CheckOutcome[], advisoryHolds = false): CheckOutcome[] {
  return checks.filter((c) => c.failingRows > 0 && (advisoryHolds || !c.advisory));
}

/** Failing checks as people read them: "name: N failing rows; ...". */
export function checksSaid(failed: CheckOutcome[]): string {
  return failed.map((c) => `${c.name}: ${c.failingRows} failing row${c.failingRows === 1 ? '' : 's'}`).join('; ');
}

/** The failing advisory checks: warnings a published batch carries. */
export function warningChecks(checks: CheckOutcome[]): CheckOutcome[] {
  return checks.filter((c) => c.failingRows > 0 && c.advisory);
}

/**
 * The batch's quality score, 0 to 100: the share of its checks that passed, each check counted
 * once whatever its number of failing rows, advisory ones included. 100 when nothing was checked.
 */
export function qualityScore(checks: CheckOutcome[]): number {
  if (!checks.length) return 100;
  return Math.round((100 * checks.filter((c) => c.failingRows === 0).length) / checks.length);
}

/** What a run starts from: when attributes were last published, the batch (opened), and how dbt builds it. */
export interface BatchBegun {
  attributesPublishedAt?: string;
  /** Absent when no export is waiting. */
  batch?: BatchRef;
  /** The Python worker's queue and request for this batch (with the batch; absent from a worker older than 'dbt'). */
  build?: WarehouseBuild;
  /** Runs started before 'stages': the models and checks of src/warehouse/legacy, one activity each. */
  models: string[];
  checks: string[];
}

/** The warehouse attributes written into profiles after a publish. */
export interface AttributesMerged {
  updated: number;
  /** Customers left as they were: an id the event API refuses, or a profile over its limits. */
  refused: number;
  /** The first few refusals, as "customer: reason". */
  examples: string[];
}

export type IngestionResult =
  | { status: 'nothing_to_do'; attributesPublishedAt?: string }
  | {
      status: 'published';
      batchId: string;
      rawRows: number;
      atRisk: number;
      attributes: number;
      eventsSent: number;
      profiles?: AttributesMerged;
      /** Runs begun since advisory checks: the quality score (qualityScore) and the warnings, as "check: N failing rows; ...". */
      quality?: number;
      warnings?: string;
    }
  | { status: 'quarantined'; batchId: string; rawRows: number; reason: string; attributesPublishedAt?: string; attributesAgeMs?: number; quality?: number };

/** Where a run is: the step, and counts so far (also shown as the run's current details). */
export interface IngestionProgress {
  step: string;
  batchId?: string;
  done: number;
  total: number;
  /** When the attributes journeys read were published, as the run found them (how stale they are). */
  attributesPublishedAt?: string;
}

export const progressQuery = defineQuery<IngestionProgress>('progress');
