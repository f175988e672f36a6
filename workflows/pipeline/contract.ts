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
  | { status: 'published'; batchId: string; rawRows: number; atRisk: number; attributes: number; eventsSent: number; profiles?: AttributesMerged }
  | { status: 'quarantined'; batchId: string; rawRows: number; reason: string; attributesPublishedAt?: string; attributesAgeMs?: number };

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
