import path from 'node:path';
import { z } from 'zod';
import { ENV, SECRET_VARIABLES } from './config-variables';
import { durationMs, DURATION_HINT } from './journey/duration';
import { readSettingsFile, SettingsFileError, type SettingsFile } from './settings-file';
import { payloadKeys } from './temporal/payload-keys';

/**
 * The one place for timeouts, caps, thresholds and addresses. Every value has a default that
 * runs on a laptop; each can be overridden by the environment variable named in ENV below.
 * A bad value stops the start with the variable's name.
 */
const duration = z.string().transform((text, ctx) => {
  const ms = durationMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be ${DURATION_HINT}` });
    return z.NEVER;
  }
  return ms;
});
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const port = int(1, 65535);
/** A port, or empty for none chosen (the program picks a free one). */
const optionalPort = z.union([z.literal('').transform(() => undefined), port]);
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
/** SQLite pragmas for the dev server's database, as "name=value" entries (passed as --sqlite-pragma). */
const SQLITE_PRAGMA = /^[a-z_]+=[A-Za-z0-9_-]+$/;
const sqlitePragmas = list.superRefine((entries, ctx) =>
  entries.forEach((entry, i) => {
    if (!SQLITE_PRAGMA.test(entry)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "name=value", e.g. "journal_mode=wal"` });
  }),
);

/** Frequency caps as "channel:count/window" entries, e.g. "email:3/1d,sms:2/1d". */
const FREQUENCY_CAP = /^(email|push|sms|in_app):(\d{1,6})\/(\S+)$/;
const frequencyCaps = list.transform((entries, ctx) =>
  entries.map((entry, i) => {
    const match = FREQUENCY_CAP.exec(entry);
    const windowMs = match ? durationMs(match[3]!) : undefined;
    if (!match || windowMs === undefined || Number(match[2]) < 1) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "channel:count/window" with a channel of email, push, sms, in_app, a count of at least 1 and a window that is ${DURATION_HINT} (e.g. "email:3/1d")` });
      return z.NEVER;
    }
    return { channel: match[1] as 'email' | 'push' | 'sms' | 'in_app', count: Number(match[2]), windowMs };
  }),
);

/** Braze subscription groups as "channel:group id" entries, e.g. "email:8a3c...,sms:51d0...": email and SMS have them in Braze. */
const SUBSCRIPTION_GROUP = /^(email|sms):(\S+)$/;
const subscriptionGroups = list.transform((entries, ctx) => {
  const groups: Partial<Record<'email' | 'sms', string>> = {};
  entries.forEach((entry, i) => {
    const match = SUBSCRIPTION_GROUP.exec(entry);
    if (!match) return ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "channel:group id" with a channel of email or sms (e.g. "email:8a3c5e1f-...")` });
    const channel = match[1] as 'email' | 'sms';
    if (groups[channel]) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} names ${channel} again: one subscription group per channel` });
    groups[channel] = match[2]!;
  });
  return groups;
});

/** API keys as "key:scope" or "key:scope+scope"; the message never repeats a key. */
const API_KEY_ENTRY = /^([^\s:]+):([a-z]+(?:\+[a-z]+)*)$/;
const apiKeys = list.transform((entries, ctx) =>
  entries.map((entry, i) => {
    const match = API_KEY_ENTRY.exec(entry);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "key:scope" (several scopes joined by "+", e.g. "s3cret:events")` });
      return z.NEVER;
    }
    return { key: match[1]!, scopes: match[2]!.split('+') };
  }),
);
/** Addresses only this machine reaches. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/;

/** The key WAYMARK_API_KEYS defaults to; a production start with it fails. */
const DEV_API_KEY = 'dev-key';

const schema = z.object({
  env: z.enum(['development', 'test', 'production']),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  /** auto: readable lines on a terminal, JSON lines when piped or collected. */
  logFormat: z.enum(['auto', 'json', 'pretty']),
  dataDir: z.string().min(1),
  profileKeepKeys: int(1, 100_000),
  demoOnStart: flag,
  dev: z.object({
    /** A terminal delivers one Ctrl-C to `npm run dev` twice (directly and forwarded by npm); only a later one forces the exit. */
    repeatSignalGapMs: duration,
  }),
  temporal: z.object({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port'),
    namespace: z.string().min(1),
    uiPort: port,
    /** The dev server's HTTP API and /metrics ports (`npm run dev`); empty: any free port. */
    httpPort: optionalPort,
    metricsPort: optionalPort,
    journeyTaskQueue: z.string().min(1),
    connectTimeoutMs: duration,
    /** AES-256-GCM keys for every payload written to Temporal (docs/operations.md, "Personal data in Temporal"); empty: in clear. */
    payloadKeys,
    /**
     * TLS to a Temporal cluster or Temporal Cloud (src/temporal/connect.ts reads the files at start).
     * auto: on when a certificate, a CA or an API key is set. A client certificate (mTLS) needs its key.
     */
    tls: z.object({
      mode: z.enum(['auto', 'on', 'off']),
      certFile: z.string(),
      keyFile: z.string(),
      caFile: z.string(),
      serverName: z.string(),
    }),
    /** A Temporal Cloud API key (sent as a bearer token, over TLS). */
    apiKey: z.string(),
    devServerStartTimeoutMs: duration,
    devServerProbeMs: duration,
    devServerSqlitePragmas: sqlitePragmas,
  }),
  /** OpenTelemetry tracing (docs/operations.md, "Tracing"): off, or spans sent to an OTLP/HTTP collector. */
  tracing: z.object({
    enabled: flag,
    /** The collector's OTLP/HTTP traces endpoint. */
    otlpUrl: z.string().regex(/^https?:\/\/[^\s/]+/, 'must be the collector\'s http(s):// OTLP traces endpoint, e.g. "http://127.0.0.1:4318/v1/traces"'),
    /** How long one export may take, retries included; a batch that takes longer is dropped. */
    otlpTimeoutMs: duration,
  }),
  /**
   * A circuit breaker per provider (Braze, Gemini) in each worker process (src/resilience): after
   * `failures` consecutive failed calls, none for `cooldownMs`; 0 failures: no breaker.
   */
  circuit: z.object({ failures: int(0, 1_000), cooldownMs: duration }),
  /** `waymark customer erase`: how long Temporal may take to delete a customer's runs (it deletes asynchronously). */
  erasure: z.object({ timeoutMs: duration }),
  /** The codec server that decrypts payloads for the Temporal UI and the CLI (`npm run codec-server`). */
  codecServer: z.object({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port'),
    /** Browser origins (the Temporal UI's) allowed to call it. */
    origins: list.pipe(z.array(z.string().regex(/^https?:\/\/[^\s/]+$/, 'must be origins: scheme, host and port, such as http://localhost:8233 (no path)'))),
    /** keys: a WAYMARK_API_KEYS key with the "decode" scope as a bearer token; none: no check, loopback addresses only. */
    auth: z.enum(['keys', 'none']),
    /** The UI sends a whole history's payloads at once; Temporal caps one payload at 2 MiB. */
    maxBodyBytes: int(1_024, 1_000_000_000),
  }),
  activity: z.object({
    startToCloseMs: duration,
    scheduleToCloseMs: duration,
    retryInitialMs: duration,
    retryMaxIntervalMs: duration,
    retryBackoff: z.coerce.number().min(1).max(10),
    retryMaxAttempts: int(1, 1000),
  }),
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
  router: z.object({
    dedupeWindowMs: duration,
    dedupeMaxIds: int(1, 100_000),
    maxDecisions: int(1, 1_000),
    continueAsNewAfterEvents: int(100, 40_000),
  }),
  api: z.object({
    host: z.string().min(1),
    /** 0 picks a free port (tests, the benchmark). */
    port: int(0, 65535),
    apiKeys,
    maxBatchSize: int(1, 10_000),
    maxBodyBytes: int(1_024, 10_000_000),
    temporalTimeoutMs: duration,
    readyTimeoutMs: duration,
    batchConcurrency: int(1, 1_000),
    maxFutureSkewMs: duration,
    rejectUnknownTypes: flag,
    shutdownGraceMs: duration,
    /**
     * Listen with SO_REUSEPORT (Linux), so a new API process can take the port over while the old
     * one drains (docs/deployment.md). Off by default: a second API on the port is then an error.
     */
    reusePort: flag,
    /** Timestamps before this instant are refused: year 0000 or 1900 is a client's bug, not an event. */
    minTimestampMs: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as "2000-01-01T00:00:00Z"' }).transform((t) => Date.parse(t)),
    /** Issues listed in one answer (a batch answer included); the rest are counted, not listed. */
    maxIssues: int(1, 1_000),
    /** Characters of any input (a path, a field name, an id) quoted back in an answer or a log line. */
    maxEchoChars: int(8, 1_000),
    /** Per API key and per client address, in requests per second, with a burst allowance (token buckets, per API process). */
    keyRatePerSec: int(1, 1_000_000),
    keyBurst: int(1, 1_000_000),
    addressRatePerSec: int(1, 1_000_000),
    addressBurst: int(1, 1_000_000),
    /** Keys and addresses whose rate and failures are remembered; beyond, the least recently seen are forgotten (bounded memory). */
    maxTrackedClients: int(100, 10_000_000),
    /** This many unknown keys from one address within the window lock the address out for lockoutMs. */
    lockoutFailures: int(1, 10_000),
    lockoutWindowMs: duration,
    lockoutMs: duration,
    /** Proxies in front of the API that append to X-Forwarded-For; 0 trusts no header and uses the socket's address. */
    trustProxyHops: int(0, 10),
    /** Outside development and test, every API key needs this many characters, half of them different. */
    minKeyChars: int(16, 1_000),
    headersTimeoutMs: duration,
    requestTimeoutMs: duration,
    bodyTimeoutMs: duration,
    keepAliveTimeoutMs: duration,
    /** host:port serving GET /metrics, apart from the public port; port 0 picks a free port; empty = no metrics. */
    metricsAddress: z.union([z.literal(''), z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, or empty for none')]),
    /** Recently accepted (customerId, messageId) pairs remembered per API process, to tell a duplicate from a conflict. */
    recentMessages: int(1, 10_000_000),
    recentMessagesTtlMs: duration,
    /** Segment-compatible intake (docs/segment-rudderstack.md): bytes of one call, and of one /v1/batch body once decompressed. */
    segmentMaxCallBytes: int(1_024, 10_000_000),
    segmentMaxBatchBytes: int(1_024, 10_000_000),
    /** A Segment sentAt behind the arrival by at most this is a slow clock, corrected; more is time in queues (src/api/segment/mapping.ts). */
    segmentMaxSlowClockMs: duration,
    /** anonymousId -> userId links (alias) kept in each API process's memory, and how long one is trusted before the store is asked again. */
    aliasCacheSize: int(1, 10_000_000),
    aliasCacheTtlMs: duration,
  }),
  /** What one customer's data may hold: beyond these an event is refused (422) and a profile update fails for good. */
  limits: z.object({
    maxTraits: int(1, 10_000),
    maxTraitKeyChars: int(1, 1_000),
    maxTraitValueBytes: int(16, 1_000_000),
    maxProfileBytes: int(1_024, 1_000_000),
    maxPropertiesBytes: int(1_024, 1_000_000),
    maxJsonDepth: int(2, 1_000),
  }),
  worker: z.object({
    /** Workflows kept in the worker's cache; a parked workflow beyond it costs no worker memory (it is replayed when it wakes). */
    maxCachedWorkflows: int(0, 1_000_000),
    maxConcurrentWorkflowTasks: int(2, 10_000),
    maxConcurrentActivities: int(1, 10_000),
    maxConcurrentLocalActivities: int(1, 10_000),
    workflowTaskPollers: int(1, 1_000),
    activityTaskPollers: int(1, 1_000),
    /** host:port for the worker's Prometheus metrics (Temporal SDK: cache size, task latencies); empty = off. */
    metricsAddress: z.union([z.literal(''), z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, or empty for none')]),
    shutdownGraceMs: duration,
  }),
  replay: z.object({
    concurrency: int(1, 1_000),
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
  /** The operational store (PostgreSQL): journey versions, profiles, the send ledger, the local channel. */
  store: z.object({
    /** A postgres:// URL; empty runs the embedded PostgreSQL under the data dir. */
    url: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL, or empty for the embedded store')]),
    /** When schema migrations run by themselves: only for the embedded store (production runs `waymark db migrate`), always, or never. */
    migrateOnStart: z.enum(['embedded', 'always', 'never']),
    poolMax: int(1, 1_000),
    connectTimeoutMs: duration,
    statementTimeoutMs: duration,
    /** How often a process checks the store for journeys published, paused, archived or rolled back. */
    catalogRefreshMs: duration,
    /** Publish the shipped journeys and WAYMARK_JOURNEYS_DIR's files when the store opens (one-machine set-ups, tests). */
    publishOnStart: flag,
    embedded: z.object({
      /** Empty: <data dir>/postgres. */
      dir: z.string(),
      port,
      database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL name (letters, digits, _)'),
      startTimeoutMs: duration,
      probeMs: duration,
    }),
  }),
  /** Who a journey change is recorded as made by (empty: user@host of the process). */
  actor: z.string(),
  bench: z.object({
    concurrency: int(1, 10_000),
    durationMs: duration,
    warmupMs: duration,
    customers: int(1, 10_000_000),
    /** bench:scale: customers in the baseline's enrol phase; 0: as many as WAYMARK_BENCH_CUSTOMERS. */
    baselineCustomers: int(0, 10_000_000),
    /** bench:scale: events per API batch, batches in flight (each hands over WAYMARK_API_BATCH_CONCURRENCY events at a time). */
    batchSize: int(1, 10_000),
    batchConcurrency: int(1, 1_000),
    /** bench:events: calls per Segment-compatible /v1/batch request (the Segment and RudderStack SDKs flush at 15 and 20). */
    segmentBatchSize: int(1, 10_000),
    /** bench:scale's latency phase: a steady rate of new customers per second, for this long, per path. */
    pacedRate: int(1, 10_000),
    pacedDurationMs: duration,
    /** Window over which idle CPU is measured, before enrolling and once everything is parked. */
    idleWindowMs: duration,
    /** Customers whose Temporal histories are fetched to price them (history bytes, events, actions). */
    costSample: int(1, 10_000),
    progressEveryMs: duration,
    /** Pause before the bench hands over again an event or start that Temporal or the API refused for now (503, 429, deadline). */
    retryPauseMs: duration,
    /** A whole bench:scale run; beyond it the bench prints what was reached and where the backlog is. */
    timeoutMs: duration,
    /** Until the bench's worker and API processes poll / listen; they bundle workflow code first. */
    startTimeoutMs: duration,
    /** After SIGTERM, how long a bench child process gets before SIGKILL. */
    stopGraceMs: duration,
    /** The baseline workflow's timer after its one activity: long enough to stay parked through the run. */
    baselineParkMs: duration,
    /** bench:ingest: raw events pushed through the pipeline, spread over this many customers. */
    ingestEvents: int(1_000, 100_000_000),
    ingestCustomers: int(10, 10_000_000),
    /** Rounds of (direct, pipeline) runs; the medians are reported (the machine's cores are shared). */
    ingestRounds: int(1, 20),
    /** bench:sends: messages through the Braze channel (and as many bare HTTP calls) per measured round, after this many of each to warm up. */
    sends: int(1, 10_000_000),
    sendsWarmup: int(0, 1_000_000),
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
}).superRefine((config, ctx) => {
  if (config.env === 'production' && config.temporal.payloadKeys.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['temporal', 'payloadKeys'], message: "is empty: in production customers' emails and traits must not be readable in Temporal's history. Set a key (\"k1:$(openssl rand -base64 32)\")" });
  }
  const { tls } = config.temporal;
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    const [set, missing] = tls.certFile ? ['certFile', 'keyFile'] : ['keyFile', 'certFile'];
    ctx.addIssue({ code: 'custom', path: ['temporal', 'tls', missing], message: `is empty while ${variableOf(`temporal.tls.${set}`)} is set: a client certificate (mTLS) needs both the certificate and its private key` });
  }
  if (tls.mode === 'off' && (tls.certFile || tls.caFile || config.temporal.apiKey)) {
    ctx.addIssue({ code: 'custom', path: ['temporal', 'tls', 'mode'], message: 'is "off" while a TLS certificate, CA or Temporal API key is set: they need TLS. Remove them, or set it to "auto"' });
  }
  if (config.codecServer.auth === 'none' && !LOOPBACK.test(config.codecServer.address)) {
    ctx.addIssue({ code: 'custom', path: ['codecServer', 'address'], message: 'is not a loopback address, and WAYMARK_CODEC_SERVER_AUTH is "none": anyone who reaches it could read every payload. Set WAYMARK_CODEC_SERVER_AUTH=keys, or bind it to 127.0.0.1' });
  }
  if (config.env === 'production' && config.api.apiKeys.some((k) => k.key === DEV_API_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['api', 'apiKeys'], message: `the development key "${DEV_API_KEY}" must not be used in production` });
  }
  if (config.env !== 'development' && config.env !== 'test') {
    const { minKeyChars } = config.api;
    config.api.apiKeys.forEach(({ key }, i) => {
      // Guessable keys defeat the lockout: demand length and variety (the message never shows the key).
      if (key.length < minKeyChars || new Set(key).size < Math.ceil(minKeyChars / 2)) {
        const advice = `use at least ${minKeyChars} characters with at least ${Math.ceil(minKeyChars / 2)} different ones, e.g. from "openssl rand -hex 24"`;
        ctx.addIssue({ code: 'custom', path: ['api', 'apiKeys'], message: `entry ${i + 1} is a weak key outside development: ${advice}` });
      }
    });
  }
  const { health } = config;
  if (health.watchFrom >= health.healthyFrom) ctx.addIssue({ code: 'custom', path: ['health', 'watchFrom'], message: `must be below WAYMARK_HEALTH_HEALTHY_FROM (${health.healthyFrom})` });
  if (health.quietWatchDays >= health.quietRiskDays) ctx.addIssue({ code: 'custom', path: ['health', 'quietWatchDays'], message: `must be below WAYMARK_HEALTH_QUIET_RISK_DAYS (${health.quietRiskDays})` });
  if (health.activeDays >= health.lapsedDays) ctx.addIssue({ code: 'custom', path: ['health', 'activeDays'], message: `must be below WAYMARK_LIFECYCLE_LAPSED_DAYS (${health.lapsedDays})` });
  if (config.pipeline.taskQueue === config.temporal.journeyTaskQueue) {
    ctx.addIssue({ code: 'custom', path: ['pipeline', 'taskQueue'], message: 'must differ from WAYMARK_JOURNEY_TASK_QUEUE: pipelines must never hold up journeys' });
  }
  if ([config.temporal.journeyTaskQueue, config.pipeline.taskQueue, config.sends.taskQueue].includes(config.warehouse.taskQueue)) {
    ctx.addIssue({ code: 'custom', path: ['warehouse', 'taskQueue'], message: 'must differ from the journeys, pipelines and sends task queues: the Python worker fails the tasks of activities it has not registered, and the TypeScript workers those of its own' });
  }
  if (config.braze.url && !config.braze.apiKey) {
    ctx.addIssue({ code: 'custom', path: ['braze', 'apiKey'], message: 'must be set when WAYMARK_BRAZE_URL is: a REST API key of the Braze workspace (Settings > API Keys)' });
  }
  if (config.braze.url && !config.braze.appId) {
    ctx.addIssue({ code: 'custom', path: ['braze', 'appId'], message: 'must be set when WAYMARK_BRAZE_URL is: an app identifier of the workspace (Settings > App Settings), Braze requires one on email and SMS' });
  }
  if (config.braze.url.startsWith('http://') && config.env !== 'development' && config.env !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['braze', 'url'], message: 'must be https:// outside development and test (the API key travels with every call)' });
  }
  if (config.content.generator === 'gemini') {
    const { apiKey, vertexProject } = config.content.gemini;
    if (!apiKey && !vertexProject) ctx.addIssue({ code: 'custom', path: ['content', 'gemini', 'apiKey'], message: 'must be set when WAYMARK_CONTENT_GENERATOR=gemini: a Gemini API key, or set WAYMARK_GEMINI_VERTEX_PROJECT for Vertex AI' });
    if (apiKey && vertexProject) ctx.addIssue({ code: 'custom', path: ['content', 'gemini', 'vertexProject'], message: 'must be empty when WAYMARK_GEMINI_API_KEY is set: choose API-key mode or Vertex AI mode' });
    // Every call and wait of one send's generation happens inside its delivery activity.
    const { timeoutMs, retries, retryMaxWaitMs } = config.content;
    if (timeoutMs * (retries + 1) + retryMaxWaitMs * retries >= config.activity.startToCloseMs) {
      ctx.addIssue({ code: 'custom', path: ['content', 'timeoutMs'], message: 'with WAYMARK_CONTENT_RETRIES and WAYMARK_CONTENT_RETRY_MAX_WAIT, must leave time in WAYMARK_ACTIVITY_START_TO_CLOSE for the send itself' });
    }
  }
  if (config.content.gemini.baseUrl.startsWith('http://') && config.env !== 'development' && config.env !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['content', 'gemini', 'baseUrl'], message: 'must be https:// outside development and test (the API key and customer data travel with every call)' });
  }
  if (config.api.headersTimeoutMs > config.api.requestTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['api', 'headersTimeoutMs'], message: 'must not be longer than WAYMARK_API_REQUEST_TIMEOUT (the whole request includes its headers)' });
  }
});

export type Config = z.infer<typeof schema>;


export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

/** Zod's default wording ("Too big: expected number to be <=65535") as what the variable must be; our own messages pass through. */
function explain(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    case 'invalid_union': {
      // The last alternative is the general one (e.g. host:port after the empty "off" value); its message says what is expected.
      const last = issue.errors[issue.errors.length - 1]?.[0];
      return last ? explain(last) : issue.message;
    }
    default:
      return issue.message;
  }
}

/**
 * Reads the configuration from `env` (process.env by default) and, for process.env, the settings
 * file (src/settings-file.ts: `.env` in the project folder, or WAYMARK_ENV_FILE), which the
 * environment outranks; throws ConfigError naming each bad variable (and the file it came from).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, string> = {}): Config {
  const raw: Record<string, unknown> = {};
  const varFor = new Map<string, string>();
  let file: SettingsFile = { values: {} };
  try {
    if (env === process.env) file = readSettingsFile(env, ENV.map(([name]) => name));
  } catch (err) {
    if (err instanceof SettingsFileError) throw new ConfigError(err.problems);
    throw err;
  }
  const valueOf = (name: string) => overrides[name] ?? env[name] ?? file.values[name];
  for (const [name, at, fallback] of ENV) {
    const value = valueOf(name);
    setPath(raw, at, value === undefined ? fallback : value);
    varFor.set(at, name);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const at = issue.path.join('.');
        // An issue inside a value (a list's entry: health.paidPlans.0) is the variable's that holds it.
        const holder = issue.path.map((_, i) => issue.path.slice(0, issue.path.length - i).join('.')).find((p) => varFor.has(p));
        const name = varFor.get(holder ?? at) ?? at;
        const value = SECRET_VARIABLES.has(name) ? '[redacted]' : JSON.stringify(valueOf(name) ?? '');
        const from = overrides[name] === undefined && env[name] === undefined && file.values[name] !== undefined ? ` (from ${file.path})` : '';
        return `${name}=${value}${from}: ${explain(issue)}`;
      }),
    );
  }
  const config = parsed.data;
  config.dataDir = path.resolve(config.dataDir);
  config.warehouse.duckdbFile = path.resolve(config.warehouse.duckdbFile || path.join(config.dataDir, 'warehouse.duckdb'));
  config.pipeline.landingDir = path.resolve(config.pipeline.landingDir || path.join(config.dataDir, 'landing'));
  config.store.embedded.dir = path.resolve(config.store.embedded.dir || path.join(config.dataDir, 'postgres'));
  if (!config.templates.dir && config.journeys.dir) config.templates.dir = path.join(config.journeys.dir, 'templates');
  return config;
}

/** Names and defaults of every setting, for docs and `waymark config`. */
export const CONFIG_VARIABLES = ENV.map(([name, , fallback]) => ({ name, fallback }));

/** The environment variable behind a setting ('limits.maxTraits' -> 'WAYMARK_MAX_TRAITS'), for messages that tell what to change. */
export function variableOf(setting: string): string {
  return ENV.find(([, at]) => at === setting)?.[0] ?? setting;
}
