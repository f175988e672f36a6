/**
 * The Python activity worker's activities (workers/warehouse_worker.py, workers/warehouse/): their
 * names, input and output. Python registers them under these exact names on its own task queue
 * (WAYMARK_WAREHOUSE_TASK_QUEUE, default 'waymark-warehouse'; the pipeline worker hands it to the
 * run with the batch, see BatchBegun.build), and the workflow calls them there with
 * proxyActivities({ taskQueue }). Arguments and results are JSON; these names and shapes are the
 * whole contract. Definitions only: the workflow bundle imports this file.
 */

/** Where dbt builds; the pipeline worker fills it from its config, so one Python worker serves any file or project. */
export type WarehouseTarget =
  | { kind: 'duckdb'; duckdbFile: string; datasetPrefix: string }
  | {
      kind: 'bigquery';
      project: string;
      location: string;
      datasetPrefix: string;
      /** dbt's threads: jobs BigQuery runs side by side. */
      threads: number;
      jobTimeoutSeconds: number;
      /** An emulator's http:// URL (tests); absent: Google's endpoint with Application Default Credentials. */
      endpoint?: string;
    };

export interface BuildRequest {
  batchId: string;
  target: WarehouseTarget;
  /** Each export's freshness warning threshold (WAYMARK_WAREHOUSE_SOURCE_FRESHNESS); absent: 24 (runs begun before it). */
  sourceFreshnessHours?: number;
}

/** What a finished dbt node reported (also what the activity's heartbeat keeps per node). */
export interface NodeOutcome {
  kind: 'model' | 'test' | 'freshness';
  /** The dbt selector that names it (a model's or test's name, source:<source>.<table>). */
  node: string;
  /** dbt's: success, pass, warn, fail, error, skipped, runtime error. A stale source is 'fail' (past a warning only: 'warn', advisory). */
  status: string;
  ms: number;
  /** Checks (tests, freshness): rows that failed (0: the check passed). */
  failures?: number;
  /** Tests: where dbt stored the failing rows. */
  relation?: { schema: string; table: string };
  /** Freshness: the failing measure, as JSON rows. */
  sample?: string;
  /** A check that reports without holding the batch: a source past its freshness warning (dbt's `warn`). */
  advisory?: boolean;
  message?: string;
}

/**
 * A stage's outcome: every node by its item name (marts.customer_health, checks.events_unique_id,
 * checks.events_fresh), the shape the stage heartbeats as it goes.
 */
export interface BuildResult {
  step: string;
  total: number;
  done: Record<string, NodeOutcome>;
  /** Nodes an earlier attempt had finished, left out of this one. */
  carried: number;
}

/** The activities, by name. */
export interface WarehouseActivities {
  /** The transform: `dbt build` of the models and their tests (failing rows stored), then `dbt source freshness`. */
  dbtBuild(request: BuildRequest): Promise<BuildResult>;
  /** The history models (tag:history), once the batch is published. */
  dbtHistory(request: BuildRequest): Promise<BuildResult>;
}

/** What a run needs to call them: the queue and the request (from the pipeline worker's config). */
export interface WarehouseBuild {
  taskQueue: string;
  request: BuildRequest;
}
