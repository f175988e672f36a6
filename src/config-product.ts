import { z } from 'zod';
import { duration, int, list, flag, frequencyCaps, subscriptionGroups, LOOPBACK } from './config-fields';
import { isScoreName, type ScoreName } from './scoring/models';

/** Each model's Vertex AI endpoint as "model=endpoint id" entries, e.g. "churn=1234567890,value=2345678901"; a model left out is scored by the rules. */
const VERTEX_ENDPOINT = /^([a-z]+)=(\d{1,19}|[a-z][a-z0-9-]{0,62})$/;
const vertexEndpoints = list.transform((entries, ctx) => {
  const endpoints: Partial<Record<ScoreName, string>> = {};
  entries.forEach((entry, i) => {
    const match = VERTEX_ENDPOINT.exec(entry);
    const model = match?.[1] ?? '';
    if (!match || !isScoreName(model)) return ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "model=endpoint id" with a model of churn, lead or value and the endpoint's id (its number in the console), e.g. "churn=1234567890"` });
    if (endpoints[model]) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} names ${model} again: one endpoint per model` });
    endpoints[model] = match[2]!;
  });
  return endpoints;
});

/** Settings of what Waymark does: journeys, templates, content, channels, the contact policy, the warehouse and its pipeline (src/config.ts joins them). */
export const productSettings = {
  journeys: z.object({
    dir: z.string(),
    maxWaitMs: duration,
    maxBufferedEvents: int(1, 10_000),
    maxPathEntries: int(10, 10_000),
    continueAsNewAfterEvents: int(100, 40_000),
    defaultTimezone: z.string().min(1),
    timeoutSyncMaxWaitMs: duration,
    proofSteps: int(1_000, 100_000_000),
    /** A journey file larger than this is refused unread: journeys are hand-written text, not data. */
    maxFileBytes: int(1_024, 10_000_000),
    /** How deep lists and maps may nest in a journey (the shipped ones need 9): checks and runs recurse through conditions. */
    maxDepth: int(8, 100),
  }),
  /** Backtests of a draft journey over the warehouse's customers (`waymark journeys backtest`): docs/authoring-journeys.md. */
  backtest: z.object({
    /** Without --customers: the last this many customers who sent one of the journey's entry events. */
    customers: int(1, 100_000),
    /**
     * Without --horizon, each run is followed for the journey's waits added up and this much more:
     * time for the steps themselves and for sends the contact policy holds back.
     */
    horizonSlackMs: duration,
  }),
  /** Message templates (docs/templates.md). */
  templates: z.object({
    /** Empty: the "templates" folder inside WAYMARK_JOURNEYS_DIR (none when that is empty too). */
    dir: z.string(),
    /** A template file larger than this is refused unread: templates are hand-written text, not data. */
    maxFileBytes: int(1_024, 10_000_000),
    /** One render's time budget (Liquid loops over a large event property could otherwise hold a send activity). */
    renderLimitMs: duration,
    /**
     * One field's render, in liquidjs's memory units (a character of text a filter makes or the
     * template prints, an item of a list or range): the time budget is checked between nodes only,
     * so a single `(1..n)` could otherwise take gigabytes before it runs out.
     */
    memoryLimit: int(100_000, 1_000_000_000),
    /** The largest message each channel sends, all its rendered fields together, in UTF-8 bytes. */
    maxOutputBytes: z.object({ email: int(100, 100_000_000), sms: int(100, 100_000_000), push: int(100, 100_000_000), in_app: int(100, 100_000_000) }),
  }),
  /** Generated message content (docs/content-generation.md): the model, its budget, and the guardrails its output must pass. */
  content: z.object({
    /** none: every send uses its template; gemini: send steps with `generate` ask Gemini first. */
    generator: z.enum(['none', 'gemini']),
    /** One model call, answer included; beyond it the template is sent. */
    timeoutMs: duration,
    /** Further calls after a 429 or 5xx, each after the wait the answer asks for (or retryWaitMs); 0 = none. */
    retries: int(0, 5),
    retryWaitMs: duration,
    /** An answer asking for a longer wait than this is not retried: the template is sent. */
    retryMaxWaitMs: duration,
    /** Phrases generated content must not contain (case-insensitive). */
    bannedPhrases: list,
    /** Characters per generated field: email subject and preheader, email text body, SMS, push/in-app title, push/in-app body. */
    maxSubjectChars: int(10, 1_000),
    maxEmailTextChars: int(100, 100_000),
    maxSmsChars: int(20, 1_600),
    maxTitleChars: int(10, 500),
    maxBodyChars: int(20, 5_000),
    /** Characters of a provider's error text kept in a fallback's reason (it is recorded with the message). */
    maxReasonChars: int(16, 10_000),
    gemini: z.object({
      model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a model name such as "gemini-2.5-flash"'),
      /** Gemini API (API-key mode); leave empty with vertexProject for Vertex AI. */
      apiKey: z.string(),
      /** Vertex AI mode: the Google Cloud project and location, with Application Default Credentials. */
      vertexProject: z.union([z.literal(''), z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id: 6-30 lower-case letters, digits or "-"')]),
      vertexLocation: z.string().regex(/^[a-z0-9-]{1,63}$/, 'must be a location such as "us-central1" or "global"'),
      /** Empty: Google's endpoint; otherwise an http(s):// URL (a proxy, the tests' loopback server). */
      baseUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'must be an http(s):// URL, or empty for Google\'s endpoint' })]),
      maxOutputTokens: int(16, 65_536),
      /** Thinking tokens per call (0 = none, the quickest); empty: the model's default. */
      thinkingBudget: z.union([z.literal(''), int(0, 32_768)]),
    }),
  }),
  /** Sends, all workers together: with a rate, they go through their own task queue, which Temporal rate-limits across workers. */
  sends: z.object({
    taskQueue: z.string().min(1),
    /** Messages per second to the provider across every worker; 0 = no limit (sends run on the journeys queue). */
    ratePerSecond: z.coerce.number().min(0).max(100_000),
  }),
  /** The contact policy, across all journeys of a customer (docs/contact-policy.md). */
  policy: z.object({
    /** Per channel, at most N messages per rolling window, counted from the send ledger. */
    caps: frequencyCaps,
    /** A capped message waits until the cap allows it (defer), or is not sent (drop, for time-bound messages); never silently. */
    capOverflow: z.enum(['defer', 'drop']),
    /** Local hours (customer's time zone) when only transactional messages go out; empty = none. */
    quietHours: z.union([z.literal(''), z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM-HH:MM" (local time, 24-hour), e.g. "21:00-08:00", or empty for none')]),
  }),
  /** `waymark journeys archive`: signals in flight at once, and the wait past WAYMARK_CATALOG_REFRESH before its second sweep. */
  archive: z.object({
    concurrency: int(1, 1_000),
    sweepMarginMs: duration,
  }),
  /** The Braze channel (docs/channels.md): the instance's REST endpoint and key, and what Braze needs with every message. */
  braze: z.object({
    /** The instance's REST endpoint, e.g. https://rest.iad-01.braze.com; empty: Braze is not used. */
    url: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'must be the instance\'s http(s):// REST endpoint, e.g. "https://rest.iad-01.braze.com", or empty for none' })]).transform((u) => u.replace(/\/+$/, '')),
    apiKey: z.string(),
    /** One Braze call, answer included; beyond it the call fails as a timeout and Temporal retries the activity. */
    timeoutMs: duration,
    /** A 429's wait until x-ratelimit-reset is capped at this (a clock or header gone wrong must not park a send for days). */
    rateLimitMaxWaitMs: duration,
    /** Characters of Braze's own error text kept in a failure (it is recorded on the run). */
    maxReasonChars: int(16, 10_000),
    /** The app identifier Braze requires on email and SMS messages (optional on push). */
    appId: z.string(),
    /** The email sender, "Display Name <sender@example.com>"; required to send email. */
    emailFrom: z.union([z.literal(''), z.string().regex(/^[^<>]*<[^<>\s@]+@[^<>\s@]+>$/, 'must be "Display Name <sender@example.com>", or empty when no email is sent')]),
    /** The SMS subscription group messages go out through; required to send SMS. */
    smsSubscriptionGroupId: z.string(),
    /** Per channel, the subscription group a consent event sets in Braze (/subscription/status/set); none: Braze is not told. */
    subscriptionGroups,
  }),
  /** The warehouse the pipeline fills and journeys' attributes come from (docs/warehouse.md). */
  warehouse: z.object({
    kind: z.enum(['duckdb', 'bigquery']),
    /** Empty: <data dir>/warehouse.duckdb. One process at a time can open it: the pipeline worker. */
    duckdbFile: z.string(),
    bigqueryProject: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id: 6-30 lower-case letters, digits or "-"'),
    bigqueryLocation: z.string().min(1),
    /** Datasets (DuckDB: schemas) are <prefix>raw, <prefix>staging, <prefix>marts...: one prefix per environment sharing a project. */
    datasetPrefix: z.string().regex(/^[a-z][a-z0-9_]{0,60}_$/, 'must be lower-case letters, digits and "_", ending with "_", e.g. "waymark_"'),
    /** Empty: Google's endpoint with Application Default Credentials; an http:// URL: an emulator (no credentials sent). */
    bigqueryEndpoint: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'must be an http(s):// URL, or empty for Google\'s endpoint' })]),
    /** BigQuery cancels a job running longer than this; the activity fails and Temporal retries it. */
    jobTimeoutMs: duration,
    /** A BigQuery call with no answer in this long (one that waits for a job: the job's timeout plus this) fails as retryable; file uploads are not bounded by it. */
    requestTimeoutMs: duration,
    /** dbt on BigQuery: models and tests sent to BigQuery side by side (dbt's threads). DuckDB runs one at a time. */
    bigqueryThreads: int(1, 64),
    /**
     * The Python activity worker's queue (dbt; `npm run warehouse-worker`): a queue of its own, as a
     * worker fails the tasks of activities it has not registered.
     */
    taskQueue: z.string().min(1),
    /**
     * Each export's newest row older than this at the batch's as-of cutoff is reported as a
     * warning on the batch (`<export>_fresh`), which does not hold it; whole hours.
     */
    sourceFreshnessMs: duration.refine((ms) => ms >= 3_600_000 && ms % 3_600_000 === 0, 'must be a whole number of hours, at least 1h (e.g. 24h)'),
    /**
     * Lines of an export that are not JSON objects: kept in waymark_ops.rejected_rows (the first
     * `keepLines` per export and run, each cut to `keepChars`); the batch is held only when their
     * share of the export's lines passes `unreadableMaxShare` (below it, a warning).
     */
    rows: z.object({
      unreadableMaxShare: z.coerce.number().min(0).max(1),
      keepLines: int(0, 100_000),
      keepChars: int(100, 100_000),
    }),
  }),
  /**
   * How the warehouse scores customer health and places customers in their lifecycle
   * (warehouse/models/marts/customer_health.sql, staging/customer_360.sql): the pipeline hands
   * these to dbt with each batch (waymark_ops.current_batch). Health is 100 less a penalty per
   * warning sign; healthy from `healthyFrom`, watch from `watchFrom`, at risk below.
   */
  health: z.object({
    healthyFrom: int(1, 100),
    watchFrom: int(0, 100),
    /** Quiet (no event) longer than this many days: the smaller penalty; longer than quietRiskDays (or never seen): the larger. */
    quietWatchDays: int(1, 3650),
    quietWatchPenalty: int(0, 100),
    quietRiskDays: int(1, 3650),
    quietRiskPenalty: int(0, 100),
    /** No order in this many days: noOrderPenalty. */
    orderWindowDays: int(1, 3650),
    noOrderPenalty: int(0, 100),
    /** No email open or click in this many days: noEngagementPenalty. */
    engagementWindowDays: int(1, 3650),
    noEngagementPenalty: int(0, 100),
    /** Per open ticket, up to maxOpenTickets of them. */
    openTicketPenalty: int(0, 100),
    maxOpenTickets: int(0, 1000),
    /** Any ticket rated bad. */
    badRatingPenalty: int(0, 100),
    /** A paying customer seen within this many days is active, within lapsedDays lapsed, else churned. */
    activeDays: int(1, 3650),
    lapsedDays: int(1, 3650),
    /** Salesforce plans (Plan__c, lower case) that are paid: a contact on one is a customer before any order. */
    paidPlans: list.pipe(z.array(z.string().regex(/^[a-z0-9_ -]{1,40}$/, 'must be plan names in lower case (letters, digits, "_", "-", space), comma-separated'))),
  }),
  /** Scores journeys read (docs/scores.md): the models' registry, the stand-in rules, the time a score may take. */
  scoring: z.object({
    /** local: the registry's champion in this process (onnxruntime-node); vertex: a Vertex AI endpoint. Either way the rules stand in. */
    source: z.enum(['local', 'vertex']),
    /** A score's time budget in milliseconds: past it, the rule stand-in answers (and says so). */
    budgetMs: int(1, 60_000),
    /** How often a process looks for a newly promoted champion. */
    refreshMs: duration,
    /** The churn rule: risk grows with days quiet, reaching 1 at this many. */
    ruleQuietDays: int(1, 3650),
    /** The lead rule: engagement counts fully from this many events in 30 days. */
    ruleEngagedEvents: int(1, 100_000),
    /** A churn or lead score rising to this (from below, or a first score) sends churn_risk_high or lead_score_high. */
    highThreshold: z.coerce.number().gt(0).lt(1),
    /** Customers a promoted model scores per call of its runtime (and per page of profiles written). */
    batchRows: int(1, 1_000_000),
    /** Each champion scores every customer again on this schedule (<scheduleId>-<model>): fresh features and scores, and high events for new crossings. */
    scheduleId: z.string().regex(/^[A-Za-z0-9_.-]{1,150}$/, 'must be letters, digits, ".", "_" or "-"'),
    scheduleEveryMs: duration,
    schedulePaused: flag,
    /** Vertex AI serving (source vertex, src/scoring/vertex.ts): the project and location of each model's endpoint. */
    vertex: z
      .object({
        project: z.union([z.literal(''), z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id: 6-30 lower-case letters, digits or "-"')]),
        location: z.string().regex(/^[a-z0-9-]{1,63}$/, 'must be a location such as "us-central1"'),
        /** host[:port] of the PredictionService (port 443 when none); empty: <location>-aiplatform.googleapis.com. */
        apiEndpoint: z.union([z.literal(''), z.string().regex(/^(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be host or host:port, e.g. "europe-west4-aiplatform.googleapis.com", or empty for <location>-aiplatform.googleapis.com')]),
        endpoints: vertexEndpoints,
        /** Plaintext gRPC and no Google credentials: only for a loopback test server. */
        insecure: flag,
      })
      .transform((vertex) => ({ ...vertex, apiEndpoint: vertex.apiEndpoint || `${vertex.location}-aiplatform.googleapis.com` })),
  }).superRefine(({ source, vertex }, ctx) => {
    if (source === 'vertex' && !vertex.project) ctx.addIssue({ code: 'custom', path: ['vertex', 'project'], message: 'must be set when WAYMARK_SCORE_SOURCE=vertex: the Google Cloud project of the endpoints' });
    if (source === 'vertex' && Object.keys(vertex.endpoints).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['vertex', 'endpoints'], message: 'must name an endpoint for at least one model when WAYMARK_SCORE_SOURCE=vertex, e.g. "churn=1234567890,lead=2345678901,value=3456789012"' });
    }
    if (vertex.insecure && !LOOPBACK.test(vertex.apiEndpoint)) {
      ctx.addIssue({ code: 'custom', path: ['vertex', 'insecure'], message: `is "true" while WAYMARK_VERTEX_API_ENDPOINT (${vertex.apiEndpoint}) is not a loopback host:port: plaintext without credentials is only for a local test server` });
    }
  }),
  /** The retraining pipeline (workflows/pipeline/retraining.ts) and the Python trainer (workers/training). */
  /** Audiences (src/audiences, docs/audiences.md): how they are evaluated, and how fast their members enter. */
  audiences: z.object({
    /** Profiles read per query when an audience is evaluated. */
    pageRows: int(1, 100_000),
    /** audience_entered events sent per second at most: a large audience enters at a pace the journeys carry. */
    enrolPerSecond: int(1, 100_000),
    /** Each audience's refresh schedule is <prefix>-<name>; one with its own schedule also <prefix>-<name>-enrol. */
    schedulePrefix: z.string().regex(/^[A-Za-z0-9_.-]{1,150}$/, 'must be letters, digits, ".", "_" or "-"'),
    /** How often every audience is evaluated again (customers who came to match enter). */
    refreshEveryMs: duration,
    schedulePaused: flag,
  }),
  /** The console (docs/console.md), served by the event API at /console. */
  console: z.object({
    /** The Temporal Web UI the console links runs to. */
    temporalUiUrl: z.string().url(),
    /** A journey page's figures older than this are shown once more while newer ones are computed in the background. */
    countsRefreshMs: duration,
    /** Journey pages (journey, version and date range) whose figures the console keeps. */
    countsCacheEntries: int(1, 100_000),
    /** Backtests started from the console that stay to be looked at (the newest; in the API's memory). */
    backtestsKept: int(1, 1_000),
    /** The most customers one backtest from the console may follow. */
    backtestMaxCustomers: int(1, 100_000),
  }),
  /** Journey results (GET /v1/journeys/{id}/results, `waymark journeys results`): docs/results.md. */
  results: z.object({
    /** Without from/to, the runs that entered in this long a window up to now. */
    defaultRangeMs: duration,
    /** The confidence level of every interval without ?confidence= (0.95: 95%). */
    confidence: z.coerce.number().gt(0).lt(1),
    /** The warehouse's journey KPIs (the journey_performance mart) not read in this long: the results answer without them, saying so. */
    warehouseTimeoutMs: duration,
  }),
  training: z.object({
    taskQueue: z.string().min(1),
    /** The last this many days of training rows are held out to judge the model. */
    testDays: int(1, 365),
    /** Fewer training (or held-out) rows than this: no model. */
    minRows: int(10, 100_000_000),
    /** A classifier's operating threshold (precision and recall are measured at it). */
    threshold: z.coerce.number().gt(0).lt(1),
    trees: int(1, 5_000),
    leaves: int(2, 1_024),
    learningRate: z.coerce.number().gt(0).max(1),
    minChildSamples: int(1, 100_000),
    seed: int(0, 2_147_483_647),
    /** Held-out rows the trainer scores, which the registry checks onnxruntime-node reproduces. */
    probes: int(1, 1_000),
    maxModelBytes: int(10_000, 100_000_000),
    /** How far the ONNX runtime's probe scores may be from the trainer's (float32 arithmetic). */
    parityTolerance: z.coerce.number().gt(0).max(1),
    /** A feature whose population stability index against the champion's training rows reaches this is flagged (large drift). */
    driftThreshold: z.coerce.number().gt(0).max(10),
    /** A challenger is promoted when its held-out AUC (R² for value) beats the champion's by this much. */
    promoteMargin: z.coerce.number().min(0).max(1),
    /** required: a challenger that wins waits for a person's approval (`waymark models approve`); automatic: promoted at once. */
    approval: z.enum(['required', 'automatic']),
    /** No decision within this long: the challenger is rejected. */
    approvalTimeoutMs: duration,
    /** Each model's retraining schedule is `<scheduleId>-<model>` (`waymark schedules apply` creates them). */
    scheduleId: z.string().regex(/^[A-Za-z0-9_.-]{1,180}$/, 'must be letters, digits, ".", "_" or "-"'),
    scheduleEveryMs: duration,
    schedulePaused: flag,
    stepTimeoutMs: duration,
  }),
  /** Reverse ETL once a promoted model's scores are in the warehouse (docs/reverse-etl.md). */
  reverseEtl: z.object({
    /** local: the scores into profiles (and Braze attributes when Braze is configured); hightouch: Hightouch's syncs; off: none. */
    adapter: z.enum(['local', 'hightouch', 'off']),
    /** How often a run in progress is looked at (a workflow timer between looks). */
    pollIntervalMs: duration,
    /** How long a run is followed; past it the retraining ends saying the sync is still running. */
    followMs: duration,
    hightouch: z.object({
      /** Hightouch's REST API, without /api/v1. */
      url: z.url({ protocol: /^https?$/, message: 'must be an http(s):// URL, e.g. "https://api.hightouch.com"' }).transform((u) => u.replace(/\/+$/, '')),
      /** A workspace API key, sent as the bearer token. */
      token: z.string(),
      /** The syncs run after every promotion (the number in a sync's URL in Hightouch). */
      syncIds: list.pipe(z.array(z.string().regex(/^\d{1,20}$/, 'must be Hightouch sync ids (numbers), comma-separated'))),
      /** One call to Hightouch, answer included; beyond it the call fails and Temporal retries it. */
      timeoutMs: duration,
      /** Characters of Hightouch's own error text kept in a failure (it is recorded on the run). */
      maxReasonChars: int(16, 10_000),
    }),
  }),
  /** The ingestion pipeline: its own task queue (never the journeys one), its activities' timeouts and retries, its schedule. */
  pipeline: z.object({
    taskQueue: z.string().min(1),
    /** Empty: <data dir>/landing, where `waymark seed` and real exports drop files for the pipeline. */
    landingDir: z.string(),
    stepTimeoutMs: duration,
    heartbeatTimeoutMs: duration,
    /** At most this long between a step's progress and the server seeing it (the worker's heartbeat throttle). */
    progressEveryMs: duration,
    /** The pipeline worker's Prometheus /metrics (host:port), apart from the journeys worker's; empty: none. */
    metricsAddress: z.union([z.literal(''), z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, or empty for none')]),
    retryInitialMs: duration,
    retryMaxIntervalMs: duration,
    retryMaxAttempts: int(1, 1000),
    /** Events (health_at_risk, warehouse attributes) handed to the customer routers at a time. */
    emitConcurrency: int(1, 1_000),
    /**
     * Steps a pipeline worker on DuckDB holds at once: one runs, the others wait for the file. A
     * run has two steps side by side (merging attributes, sending events); runs started before
     * 'stages' hold their next source, model or check. A wait counts against the step's timeout,
     * so keep it small. BigQuery runs the steps side by side, unlimited here.
     */
    duckdbStepsHeld: int(1, 100),
    scheduleId: z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be letters, digits, ".", "_" or "-"'),
    scheduleEveryMs: duration,
    scheduleCatchupWindowMs: duration,
    scheduleOverlap: z.enum(['skip', 'buffer_one']),
    schedulePaused: flag,
  }),
};
