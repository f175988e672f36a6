import path from 'node:path';
import { z } from 'zod';
import { ENV, SECRET_VARIABLES } from './config-variables';
import { duration, flag, int } from './config-fields';
import { platformSettings } from './config-platform';
import { productSettings } from './config-product';
import { crossChecks } from './config-rules';
import { readSettingsFile, SettingsFileError, type SettingsFile } from './settings-file';

/**
 * The one place for timeouts, caps, thresholds and addresses. Every value has a default that
 * runs on a laptop; each can be overridden by the environment variable named in ENV below.
 * A bad value stops the start with the variable's name. The value types are in config-fields.ts,
 * the sections in config-platform.ts (how Waymark runs) and config-product.ts (what it does), the
 * checks across settings in config-rules.ts.
 */

const settings = z.object({
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
  /** Who a journey change is recorded as made by (empty: user@host of the process). */
  actor: z.string(),
  ...platformSettings,
  ...productSettings,
});

const schema = settings.superRefine(crossChecks);

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
