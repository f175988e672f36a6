import { z } from 'zod';
import { duration, int, port, optionalPort, list, flag, sqlitePragmas, apiKeys } from './config-fields';
import { payloadKeys } from './temporal/payload-keys';

/** Settings of how Waymark runs: Temporal, the API, workers, the store, tracing, resilience, benchmarks (src/config.ts joins them). */
export const platformSettings = {
  /**
   * `npm run cluster`: a Temporal server built from source on PostgreSQL (the production shape),
   * its frontend at WAYMARK_TEMPORAL_ADDRESS. The shard count is fixed when its database is made.
   */
  cluster: z.object({ historyShards: int(1, 16_384), postgresPort: port, startTimeoutMs: duration }),
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
     * Per-customer data keys (src/temporal/customer-keys.ts): how long a process keeps a customer's
     * unwrapped key, and how many it keeps. An erased customer's key stays usable in other
     * processes' caches at most the TTL after the erasure.
     */
    customerKeyCacheTtlMs: duration,
    customerKeyCacheSize: int(1, 1_000_000),
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
    /** Starts tried when the dev server exits while starting (its own random internal ports can be taken meanwhile). */
    devServerStartAttempts: int(1, 10),
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
   * A circuit breaker per provider (Braze, Gemini, Vertex AI, BigQuery) in each worker process (src/resilience): after
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
    /** Scores each path of bench:score takes, and the customers of the rows its model learns from. */
    scores: int(100, 100_000_000),
    scoreCustomers: int(20, 1_000_000),
  }),
};
