import path from 'node:path';
import { z } from 'zod';
import { durationMs, DURATION_HINT } from './journey/duration';

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
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

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
/** The key WAYMARK_API_KEYS defaults to; a production start with it fails. */
const DEV_API_KEY = 'dev-key';

const schema = z.object({
  env: z.enum(['development', 'test', 'production']),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  dataDir: z.string().min(1),
  profileKeepKeys: int(1, 100_000),
  demoOnStart: flag,
  temporal: z.object({
    address: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port'),
    namespace: z.string().min(1),
    uiPort: port,
    journeyTaskQueue: z.string().min(1),
    connectTimeoutMs: duration,
    devServerStartTimeoutMs: duration,
    devServerProbeMs: duration,
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
  }),
  replay: z.object({
    concurrency: int(1, 1_000),
  }),
  bench: z.object({
    concurrency: int(1, 10_000),
    durationMs: duration,
    warmupMs: duration,
    customers: int(1, 10_000_000),
  }),
}).superRefine((config, ctx) => {
  if (config.env === 'production' && config.api.apiKeys.some((k) => k.key === DEV_API_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['api', 'apiKeys'], message: `the development key "${DEV_API_KEY}" must not be used in production` });
  }
});

export type Config = z.infer<typeof schema>;

/** Environment variable, its place in Config, and the local default. */
const ENV: ReadonlyArray<readonly [string, string, string]> = [
  ['WAYMARK_ENV', 'env', 'development'],
  ['WAYMARK_LOG_LEVEL', 'logLevel', 'info'],
  ['WAYMARK_DATA_DIR', 'dataDir', '.data'],
  ['WAYMARK_PROFILE_KEEP_KEYS', 'profileKeepKeys', '200'],
  ['WAYMARK_DEMO_ON_START', 'demoOnStart', 'true'],
  ['WAYMARK_TEMPORAL_ADDRESS', 'temporal.address', '127.0.0.1:7233'],
  ['WAYMARK_TEMPORAL_NAMESPACE', 'temporal.namespace', 'default'],
  ['WAYMARK_TEMPORAL_UI_PORT', 'temporal.uiPort', '8233'],
  ['WAYMARK_JOURNEY_TASK_QUEUE', 'temporal.journeyTaskQueue', 'waymark-journeys'],
  ['WAYMARK_TEMPORAL_CONNECT_TIMEOUT', 'temporal.connectTimeoutMs', '10s'],
  ['WAYMARK_DEV_SERVER_START_TIMEOUT', 'temporal.devServerStartTimeoutMs', '30s'],
  ['WAYMARK_DEV_SERVER_PROBE', 'temporal.devServerProbeMs', '1s'],
  ['WAYMARK_ACTIVITY_START_TO_CLOSE', 'activity.startToCloseMs', '30s'],
  ['WAYMARK_ACTIVITY_SCHEDULE_TO_CLOSE', 'activity.scheduleToCloseMs', '1h'],
  ['WAYMARK_ACTIVITY_RETRY_INITIAL', 'activity.retryInitialMs', '1s'],
  ['WAYMARK_ACTIVITY_RETRY_MAX_INTERVAL', 'activity.retryMaxIntervalMs', '5m'],
  ['WAYMARK_ACTIVITY_RETRY_BACKOFF', 'activity.retryBackoff', '2'],
  ['WAYMARK_ACTIVITY_RETRY_MAX_ATTEMPTS', 'activity.retryMaxAttempts', '20'],
  ['WAYMARK_JOURNEYS_DIR', 'journeys.dir', ''],
  ['WAYMARK_JOURNEY_MAX_WAIT', 'journeys.maxWaitMs', '365d'],
  ['WAYMARK_JOURNEY_MAX_BUFFERED_EVENTS', 'journeys.maxBufferedEvents', '100'],
  ['WAYMARK_JOURNEY_MAX_PATH_ENTRIES', 'journeys.maxPathEntries', '200'],
  ['WAYMARK_JOURNEY_CONTINUE_AS_NEW_AFTER', 'journeys.continueAsNewAfterEvents', '4000'],
  ['WAYMARK_DEFAULT_TIMEZONE', 'journeys.defaultTimezone', 'UTC'],
  ['WAYMARK_DEDUPE_WINDOW', 'router.dedupeWindowMs', '24h'],
  ['WAYMARK_DEDUPE_MAX_IDS', 'router.dedupeMaxIds', '2000'],
  ['WAYMARK_ROUTER_MAX_DECISIONS', 'router.maxDecisions', '50'],
  ['WAYMARK_ROUTER_CONTINUE_AS_NEW_AFTER', 'router.continueAsNewAfterEvents', '4000'],
  ['WAYMARK_API_HOST', 'api.host', '127.0.0.1'],
  ['WAYMARK_API_PORT', 'api.port', '8787'],
  ['WAYMARK_API_KEYS', 'api.apiKeys', 'dev-key:events'],
  ['WAYMARK_API_MAX_BATCH', 'api.maxBatchSize', '500'],
  ['WAYMARK_API_MAX_BODY_BYTES', 'api.maxBodyBytes', '1048576'],
  ['WAYMARK_API_TEMPORAL_TIMEOUT', 'api.temporalTimeoutMs', '5s'],
  ['WAYMARK_API_READY_TIMEOUT', 'api.readyTimeoutMs', '2s'],
  ['WAYMARK_API_BATCH_CONCURRENCY', 'api.batchConcurrency', '16'],
  ['WAYMARK_API_MAX_FUTURE_SKEW', 'api.maxFutureSkewMs', '5m'],
  ['WAYMARK_API_REJECT_UNKNOWN_TYPES', 'api.rejectUnknownTypes', 'false'],
  ['WAYMARK_API_SHUTDOWN_GRACE', 'api.shutdownGraceMs', '10s'],
  ['WAYMARK_REPLAY_CONCURRENCY', 'replay.concurrency', '16'],
  ['WAYMARK_BENCH_CONCURRENCY', 'bench.concurrency', '32'],
  ['WAYMARK_BENCH_DURATION', 'bench.durationMs', '15s'],
  ['WAYMARK_BENCH_WARMUP', 'bench.warmupMs', '2s'],
  ['WAYMARK_BENCH_CUSTOMERS', 'bench.customers', '1000'],
];

/** Variables whose values a config error must not print. */
const SECRET_VARIABLES = new Set(['WAYMARK_API_KEYS']);

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

/** Reads the configuration from `env` (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, string> = {}): Config {
  const raw: Record<string, unknown> = {};
  const varFor = new Map<string, string>();
  for (const [name, at, fallback] of ENV) {
    const value = overrides[name] ?? env[name];
    setPath(raw, at, value === undefined ? fallback : value);
    varFor.set(at, name);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const at = issue.path.join('.');
        const name = varFor.get(at) ?? at;
        const value = SECRET_VARIABLES.has(name) ? '[redacted]' : JSON.stringify(overrides[name] ?? env[name] ?? '');
        return `${name}=${value}: ${issue.message}`;
      }),
    );
  }
  const config = parsed.data;
  config.dataDir = path.resolve(config.dataDir);
  return config;
}

/** Names and defaults of every setting, for docs and `waymark config`. */
export const CONFIG_VARIABLES = ENV.map(([name, , fallback]) => ({ name, fallback }));
