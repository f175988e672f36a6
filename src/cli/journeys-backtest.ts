import { InvalidArgumentError, type Command } from 'commander';
import pino from 'pino';
import { journeyFor } from './journey-ref';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { backtestJourney, defaultHorizonMs, type BacktestResult, type CustomerBacktest } from '../journey/backtest';
import { NoCustomerEventsError } from '../journey/backtest-events';
import { noEntrantsMessage, readBacktestHistory, type BacktestHistory } from '../journey/backtest-history';
import { durationMs, DURATION_HINT, formatDuration } from '../journey/duration';
import { entryMatches } from '../journey/entry-matches';
import { installTemporalRuntime } from '../temporal/runtime';
import { formatOffset } from './journeys-preview';

interface BacktestFlags {
  customers?: number;
  horizon?: number;
  json?: boolean;
}

const WAITING_KINDS = new Set(['wait', 'wait_for_event']);
const MINUTE_MS = durationMs('1m')!;

/** An offset from entry to the minute: the simulation's own steps take real seconds, which say nothing of the customer. */
const offset = (ms: number) => formatOffset(Math.round(ms / MINUTE_MS) * MINUTE_MS);
/** Without a terminal, progress is a line at about every tenth of the customers. */
const PROGRESS_LINES = 10;

function wholeNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of customers, at least 1 (e.g. 200)');
  return n;
}

function horizon(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new InvalidArgumentError(`must be ${DURATION_HINT}`);
  return ms;
}

export function registerBacktestCommand(journeys: Command): void {
  journeys
    .command('backtest')
    .description("run a draft journey over the last customers' real events from the warehouse, on a private time-skipping server, and show where each would have gone")
    .argument('<journey>', 'a loaded journey id, or a .json/.yaml/.yml file')
    .option('--customers <n>', 'the last N customers who sent one of its entry events (default: WAYMARK_BACKTEST_CUSTOMERS)', wholeNumber)
    .option('--horizon <duration>', "follow each run this long after entry at most, e.g. 30d (default: the journey's waits added up, plus WAYMARK_BACKTEST_HORIZON_SLACK)", horizon)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Events come from the published warehouse (waymark_staging.events: the ingestion pipeline's
timeline of every source); profile traits from its last published batch. Each customer enters
on their first entry event the entry filter lets in (one it refuses reads "would not enter" and
why, as the live router says), then gets their later events at their real offsets, until the
run ends, the horizon, or the warehouse's latest event. Nothing is sent and the configured store
is not touched: the runs use a throwaway database. Progress goes to stderr. Exits 1 when the
journey file is invalid, the warehouse has no events, no customer sent an entry event, or a
step failed; 2 on a usage error.

Examples:
  waymark journeys backtest docs/examples/welcome-series.yaml
  waymark journeys backtest my-journeys/cart.yaml --customers 500 --horizon 14d --json`,
    )
    .action(async (ref: string, flags: BacktestFlags, command: Command) => {
      process.exitCode = await backtest(ref, flags, command);
    });
}

async function backtest(ref: string, flags: BacktestFlags, command: Command): Promise<number> {
  const config = loadConfig();
  const journey = journeyFor(ref, config, command);
  if (!journey) return 1;
  const limit = flags.customers ?? config.backtest.customers;
  const horizonMs = flags.horizon ?? defaultHorizonMs(journey.definition, config);
  const entryTypes = [...new Set(entryMatches(journey.definition).map((m) => m.event))];
  let history: BacktestHistory;
  try {
    history = await readBacktestHistory(config, journey.definition, limit);
  } catch (err) {
    if (!(err instanceof NoCustomerEventsError)) throw err;
    console.error(`error: ${err.message}`);
    return 1;
  }
  if (!history.customers.length) {
    console.error(`error: ${noEntrantsMessage(journey.definition, history)}`);
    return 1;
  }
  // Errors only, on stderr: the report stays readable.
  installTemporalRuntime(createLogger({ ...config, logLevel: 'error' }, 'backtest', pino.destination(2)));
  if (!flags.json) {
    console.log(`Backtest of ${journey.definition.id}@${journey.version} over the last ${history.customers.length} customer(s) who sent ${entryTypes.join(' or ')}`);
    console.log(`(the warehouse's events up to ${history.endsAt}; each run followed up to ${formatDuration(horizonMs)} after entry; on a private time-skipping server, nothing sent)\n`);
  }
  const result = await backtestJourney(journey, history, config, { horizonMs, onProgress: progress() });
  if (flags.json) console.log(JSON.stringify(result, null, 2));
  else for (const line of backtestReport(result)) console.log(line);
  const failed = result.customers.filter((c) => c.failures > 0).length;
  if (failed) console.error(`\n${failed} customer(s) had a step that failed (their path says why): live customers would not get what this backtest shows.`);
  return failed ? 1 : 0;
}

/** "3/40 customers" on stderr: rewritten in place on a terminal, else a line about every tenth. */
function progress(): (done: number, total: number) => void {
  const tty = process.stderr.isTTY === true;
  return (done, total) => {
    if (tty) process.stderr.write(`\rbacktest: ${done}/${total} customers${done === total ? '\n' : ''}`);
    else if (done === total || done % Math.max(1, Math.ceil(total / PROGRESS_LINES)) === 0) process.stderr.write(`backtest: ${done}/${total} customers\n`);
  };
}


/** One customer: where they entered and how it ended, each step with what happened, their events and messages. */
function customerLines(c: CustomerBacktest): string[] {
  if (c.status === 'not entered') return [`${c.customerId}  would not enter: ${c.reason}`];
  const after = c.endedAfterMs !== undefined ? ` after ${offset(c.endedAfterMs).slice(1)}` : '';
  const verdict = c.status === 'still running' ? c.reason : `${c.status}${after}${c.reason ? `: ${c.reason}` : ''}`;
  const lines = [`${c.customerId}  entered ${c.entry!.at} (${c.entry!.type}): ${verdict}`];
  const width = Math.max(...c.path.map((p) => p.step.length));
  for (const p of c.path) {
    // A waiting step's outcome comes when it ends; other steps' as they start.
    const ended = WAITING_KINDS.has(p.kind) && p.endedAfterMs !== undefined ? ` at ${offset(p.endedAfterMs)}` : '';
    lines.push(`  ${offset(p.afterMs).padEnd(10)} ${p.step.padEnd(width)}  ${p.outcome ? `${p.outcome}${ended}` : 'waiting'}`);
  }
  lines.push(`  events: ${c.events.map((e) => `${e.type} ${offset(e.afterMs)}`).join(', ') || 'none the journey listens to'}`);
  lines.push(`  messages: ${c.messages.map((m) => `${m.channel} ${m.template} ${offset(m.afterMs)}`).join(', ') || 'none'}`);
  return lines;
}

/** Each customer, then how many reached each step and how many ended each way, then what the warehouse lacked. */
export function backtestReport(result: BacktestResult): string[] {
  const lines = result.customers.flatMap(customerLines);
  const table = (rows: Array<[string, number]>) => {
    const width = Math.max(...rows.map(([name]) => name.length));
    return rows.map(([name, n]) => `  ${name.padEnd(width)}  ${n}`);
  };
  lines.push('', `Steps reached (of ${result.customers.length} customers):`, ...table(result.reached.map((r) => [r.step, r.customers])));
  lines.push('Final status:', ...table(Object.entries(result.statuses)));
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines;
}
