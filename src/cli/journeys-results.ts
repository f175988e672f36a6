import type { Command } from 'commander';
import pino from 'pino';
import type { ResultsAnswer } from '../api/results-routes';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { storeResultsReader } from '../results/reader';
import type { SplitResults } from '../results/journey-results';
import { warehouseKpisReader } from '../results/warehouse-reader';
import { formatWarehouseKpis } from './journeys-results-warehouse';
import { JourneyStore } from '../store/journeys';
import { Store } from '../store/store';
import { connectClient } from '../temporal/connect';
import { resolveVersion } from './journeys-versions';

const OK = 0;
const FAILED = 1;

interface ResultsOptions {
  from?: string;
  to?: string;
  confidence?: string;
  json?: boolean;
}

export function registerResultsCommand(journeys: Command): void {
  journeys
    .command('results')
    .description("a journey version's results: runs entered, still active, converted, exited; per step who went through it, who waits there and what it sent; per split each path's conversion with its interval, the test against the holdout and the lift")
    .argument('<id>', 'a published journey id (its current version), or id@version')
    .option('--from <date>', 'runs that entered from this date or time on (ISO 8601; default: WAYMARK_RESULTS_DEFAULT_RANGE before --to)')
    .option('--to <date>', 'runs that entered before this date or time (default: now)')
    .option('--confidence <level>', 'the intervals\' confidence level, between 0 and 1 (default: WAYMARK_RESULTS_CONFIDENCE, 0.95)')
    .option('--json', 'print the results as the API answers them (GET /v1/journeys/{id}/results)')
    .addHelpText(
      'after',
      '\nWhat each figure counts: docs/results.md (and "definitions" in the --json output).\n\nExamples:\n  waymark journeys results onboarding\n  waymark journeys results trial-conversion --from 2026-11-01 --to 2026-12-01\n  waymark journeys results trial-conversion@b4a6 --json',
    )
    .action(async (ref: string, options: ResultsOptions) => {
      process.exitCode = await results(ref, options);
    });
}

async function results(ref: string, options: ResultsOptions): Promise<number> {
  const config = loadConfig();
  const store = new Store(config);
  try {
    const journeys = new JourneyStore(store);
    const id = ref.split('@')[0]!;
    const state = (await journeys.states()).find((s) => s.journeyId === id);
    if (!state) {
      console.error(`no journey "${id}" is published; 'waymark journeys list' shows those that are`);
      return FAILED;
    }
    const found = ref.includes('@') ? await resolveVersion(journeys, ref) : { journeyId: id, version: state.currentVersion };
    if (typeof found === 'string') {
      console.error(found);
      return FAILED;
    }
    const to = options.to === undefined ? new Date() : parseDate(options.to, '--to');
    if (typeof to === 'string') return (console.error(to), FAILED);
    const from = options.from === undefined ? new Date(to.getTime() - config.results.defaultRangeMs) : parseDate(options.from, '--from');
    if (typeof from === 'string') return (console.error(from), FAILED);
    const confidence = options.confidence === undefined ? config.results.confidence : Number(options.confidence);
    if (from >= to) {
      console.error(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
      return FAILED;
    }
    if (!(confidence > 0 && confidence < 1)) {
      console.error(`--confidence: "${options.confidence}" is not a level between 0 and 1 (e.g. 0.95)`);
      return FAILED;
    }
    const warehouse = warehouseKpisReader(config, createLogger(config, 'results', pino.destination(2)));
    const reader = storeResultsReader(await connectClient(config), store, warehouse);
    const journey = (await reader.definition(found.journeyId, found.version))!;
    const answer = await reader.results(journey, { journeyId: found.journeyId, version: found.version, from, to, confidence });
    console.log(options.json ? JSON.stringify(answer, null, 2) : formatResults(answer));
    return OK;
  } finally {
    await store.close();
  }
}

function parseDate(text: string, flag: string): Date | string {
  const at = new Date(text);
  return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(at.getTime()) ? at : `${flag}: "${text}" is not an ISO 8601 date or time (e.g. 2026-12-01 or 2026-12-01T09:00:00Z)`;
}

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);

function variantLine(v: SplitResults['variants'][number], baseline: string): string {
  const interval = v.interval ? ` [${percent(v.interval.low)}, ${percent(v.interval.high)}]` : '';
  const head = `    ${v.name.padEnd(14)} ${String(v.conversions).padStart(7)} of ${String(v.entered).padEnd(7)} ${percent(v.rate).padStart(6)}${interval}  (${v.active} still in, ${v.exited} exited)`;
  if (v.name === baseline) return `${head}  (baseline)`;
  const test = v.test ? `  p = ${v.test.pValue < 0.0001 ? '< 0.0001' : v.test.pValue.toFixed(4)}` : '';
  const lift = v.lift ? `  lift ${percent(v.lift.lift)}${v.lift.interval ? ` [${percent(v.lift.interval.low)}, ${percent(v.lift.interval.high)}]` : ''}` : '';
  return head + test + lift;
}

/** The results as a designer reads them in a terminal. */
export function formatResults(r: ResultsAnswer): string {
  const { runs } = r;
  const lines = [
    `${r.journeyId}@${r.version}: runs that entered from ${r.from} to ${r.to}`,
    `  entered ${runs.entered}, active ${runs.active}, converted ${runs.converted} (${percent(runs.entered ? runs.converted / runs.entered : undefined)}), exited ${runs.exited}, completed ${runs.completed}, other ${runs.other}`,
    '',
    `  ${'step'.padEnd(24)} ${'kind'.padEnd(16)} ${'passed'.padStart(8)} ${'waiting'.padStart(8)} ${'sent'.padStart(8)} ${'goal'.padStart(8)} ${'exited'.padStart(8)}`,
    ...r.steps.map(
      (s) => `  ${s.step.padEnd(24)} ${s.kind.padEnd(16)} ${[s.passed, s.here, s.sent, s.converted, s.exited].map((n) => String(n).padStart(8)).join(' ')}`,
    ),
  ];
  for (const split of r.splits) {
    lines.push('', `  split ${split.step}: conversion by path (${percent(split.confidence)} intervals; test and lift against ${split.baseline})`);
    lines.push(...split.variants.map((v) => variantLine(v, split.baseline)));
  }
  if (r.warehouse) lines.push('', ...formatWarehouseKpis(r.warehouse));
  lines.push('', 'What each figure counts: docs/results.md, or --json for the definitions.');
  return lines.join('\n');
}
