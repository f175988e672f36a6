import { parseArgs } from 'node:util';
import { DURATION_HINT, durationMs } from '../../src/journey/duration';

/** The scenarios, in the order a full run goes through them. */
export const SCENARIO_NAMES = ['worker', 'api', 'temporal', 'postgres', 'graceful'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Every knob of the tool, with its default: the usage text and the parser both read this table. */
const KNOBS = {
  customers: { default: '300', kind: 'count', help: 'new customers per scenario, each sending one signed_up event' },
  rate: { default: '10', kind: 'rate', help: 'events posted per second (single POST /v1/events at a steady pace)' },
  down: { default: '2s', kind: 'duration', help: 'how long a killed process stays down before it is started again' },
  deadline: { default: '5m', kind: 'duration', help: 'after the last event is due, how long to wait for every accepted customer\'s message (the sender\'s retries included); customers still without one then count as stuck or lost' },
  linger: { default: '45s', kind: 'duration', help: 'once every customer has a message, how long to keep watching for late duplicates (a retried send lands after WAYMARK_ACTIVITY_START_TO_CLOSE)' },
  'progress-every': { default: '5s', kind: 'duration', help: 'how often a progress line is printed' },
  'retry-pause': { default: '1s', kind: 'duration', help: 'the sender\'s pause before posting a refused or failed event again' },
  'start-timeout': { default: '2m', kind: 'duration', help: 'for a process (worker, API, Temporal, PostgreSQL) to be up after a start or restart, and for a worker to stop after SIGTERM' },
  'braze-delay-min': { default: '2s', kind: 'duration', help: 'graceful: the loopback Braze answers /messages/send after a delay at least this long' },
  'braze-delay-max': { default: '3s', kind: 'duration', help: 'graceful: ... and at most this long (uniformly in between)' },
  'shutdown-grace': { default: '1s', kind: 'duration', help: 'graceful: WAYMARK_WORKER_SHUTDOWN_GRACE of the worker that is sent SIGTERM' },
  examples: { default: '5', kind: 'count', help: 'customers or runs shown for each count that is not 0' },
} as const;
type Knob = keyof typeof KNOBS;

export interface ChaosFlags {
  scenarios: ScenarioName[];
  customers: number;
  rate: number;
  downMs: number;
  deadlineMs: number;
  lingerMs: number;
  progressEveryMs: number;
  retryPauseMs: number;
  startTimeoutMs: number;
  brazeDelayMinMs: number;
  brazeDelayMaxMs: number;
  shutdownGraceMs: number;
  examples: number;
}

const SCENARIO_HELP: Record<ScenarioName, string> = {
  worker: 'SIGKILL the journeys worker 3 times (spread over the sending), a new one started each time',
  api: 'SIGKILL the event API once and restart it on the same port; the sender retries until accepted',
  temporal: 'SIGKILL the Temporal dev server once and start it again on the same port and SQLite file',
  postgres: 'SIGKILL the embedded PostgreSQL\'s postmaster once and start it again',
  graceful: 'Braze channel (slow loopback Braze): SIGTERM the worker while sends are in flight, start a new one',
};

export function usage(): string {
  const width = Math.max(...Object.keys(KNOBS).map((k) => k.length)) + 2;
  return [
    'usage: npm run chaos -- [scenario flags] [options]',
    '',
    'Kill runs: each scenario starts a fresh stack (dev server, embedded PostgreSQL, event API, journeys',
    'worker), sends one signed_up event per new customer through the event API, injects its fault, and',
    'counts messages at the provider. Exits 1 when lost, duplicated, stuck or second runs is not 0.',
    '',
    'scenarios (all when none is given):',
    ...SCENARIO_NAMES.map((s) => `  --${s.padEnd(width)}${SCENARIO_HELP[s]}`),
    '',
    'options:',
    ...Object.entries(KNOBS).map(([name, k]) => `  --${name.padEnd(width)}${k.help} (default ${k.default})`),
    `  --${'help'.padEnd(width)}this text`,
    '',
    `durations: ${DURATION_HINT}`,
  ].join('\n');
}

/** The flags of `argv`, or a message saying what is wrong with them. */
export function parseFlags(argv: string[]): { flags: ChaosFlags } | { help: true } | { error: string } {
  const options = {
    ...Object.fromEntries(SCENARIO_NAMES.map((s) => [s, { type: 'boolean' as const }])),
    ...Object.fromEntries(Object.entries(KNOBS).map(([name, k]) => [name, { type: 'string' as const, default: k.default }])),
    help: { type: 'boolean' as const },
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, allowPositionals: false }));
  } catch (err) {
    return { error: (err as Error).message };
  }
  if (values.help) return { help: true };
  const problems: string[] = [];
  const read = (name: Knob): number => {
    const text = String(values[name]);
    const kind = KNOBS[name].kind;
    const n = kind === 'duration' ? durationMs(text) : Number(text);
    const ok = n !== undefined && Number.isFinite(n) && n > 0 && (kind !== 'count' || Number.isInteger(n));
    if (!ok) problems.push(`--${name} "${text}" must be ${kind === 'duration' ? DURATION_HINT : kind === 'count' ? 'a positive integer' : 'a positive number'}`);
    return ok ? n : 0;
  };
  const chosen = SCENARIO_NAMES.filter((s) => values[s] === true);
  const flags: ChaosFlags = {
    scenarios: chosen.length ? chosen : [...SCENARIO_NAMES],
    customers: read('customers'),
    rate: read('rate'),
    downMs: read('down'),
    deadlineMs: read('deadline'),
    lingerMs: read('linger'),
    progressEveryMs: read('progress-every'),
    retryPauseMs: read('retry-pause'),
    startTimeoutMs: read('start-timeout'),
    brazeDelayMinMs: read('braze-delay-min'),
    brazeDelayMaxMs: read('braze-delay-max'),
    shutdownGraceMs: read('shutdown-grace'),
    examples: read('examples'),
  };
  if (flags.brazeDelayMaxMs < flags.brazeDelayMinMs) problems.push('--braze-delay-max must not be shorter than --braze-delay-min');
  return problems.length ? { error: problems.join('\n') } : { flags };
}
