import type { Command } from 'commander';
import { loadConfig } from '../config';
import { loadCatalog } from '../runtime';
import { outline } from '../journey/outline';
import { formatIssue, validationLimits, type ValidationIssue } from '../journey/validate';
import { JourneyStore, type JourneyState } from '../store/journeys';
import { Store } from '../store/store';
import { connectClient } from '../temporal/connect';
import { checkFiles } from './journeys-files';
import { registerLifecycleCommands } from './journeys-lifecycle';
import { registerPreviewCommand } from './journeys-preview';
import { registerBacktestCommand } from './journeys-backtest';
import { registerPublishCommand } from './journeys-publish';
import { registerResultsCommand } from './journeys-results';
import { liveRuns } from '../journey/live-runs';
import { registerVersionCommands, resolveVersion, versions } from './journeys-versions';

const OK = 0;
const FAILED = 1;

export function registerJourneysCommand(program: Command): void {
  const journeys = program
    .command('journeys')
    .description('publish, list, show, change (pause, resume, archive, rollback), validate, preview and backtest journeys, and show their results')
    .addHelpText(
      'after',
      `
Workers and the API run the journeys published in the store (WAYMARK_DATABASE_URL, or the embedded
PostgreSQL). 'publish' stores the shipped journeys (journeys/*.ts) and the .json/.yaml/.yml files
of WAYMARK_JOURNEYS_DIR, or the files named. docs/authoring-journeys.md explains the format, every
check, and what a change means for customers already in a journey.

Examples:
  waymark journeys publish docs/examples/
  waymark journeys list
  waymark journeys show onboarding
  waymark journeys diff onboarding@b4a6 onboarding@0c1d
  waymark journeys pause onboarding
  waymark journeys history onboarding
  waymark journeys validate docs/examples/
  waymark journeys preview trial-conversion --event subscription_started@8d
  waymark journeys backtest my-journeys/cart.yaml --customers 200`,
    );

  registerPublishCommand(journeys);

  journeys
    .command('list')
    .description('every published journey: current version, status, number of versions, running customers (per version); with an id, its versions')
    .argument('[id]', "a journey id: list its versions instead (as 'waymark journeys versions ID')")
    .addHelpText(
      'after',
      `
Running counts come from Temporal's visibility; when Temporal cannot be reached the rest is
printed and the counts are marked unavailable. Journey files not published yet are named at the end.

Examples:
  waymark journeys list
  waymark journeys list onboarding`,
    )
    .action(async (id: string | undefined) => {
      process.exitCode = id === undefined ? await list() : await versions(id);
    });

  journeys
    .command('show')
    .description("a published journey's outline: entry, goals and exits with their filters, then each step with its conditions and where it leads")
    .argument('<id>', "a journey id (its current version), or id@version for another version")
    .addHelpText(
      'after',
      `
Shows what the store holds: the version new customers enter. A journey that is only in a file
(not published yet) is shown from its file, and says so. Exits 1 when no journey has that id.

Examples:
  waymark journeys show trial-conversion
  waymark journeys show trial-conversion@b4a6`,
    )
    .action(async (id: string) => {
      process.exitCode = await show(id);
    });

  journeys
    .command('validate')
    .description('check journey files before deploying them: errors make a file invalid; warnings point at paths no run can take')
    .argument('<files...>', 'journey files (.json, .yaml, .yml), or folders: every such file in them')
    .option('--strict', 'fail (exit 1) on warnings too, e.g. in CI')
    .addHelpText(
      'after',
      `
Also reports a journey id used by two of the files, or by a shipped journey: publishing would
refuse both. Exits 0 when every file is valid (warnings are printed), 1 when one is invalid (or
has warnings, with --strict).

Examples:
  waymark journeys validate my-journeys/welcome.yaml
  waymark journeys validate --strict my-journeys/`,
    )
    .action((files: string[], options: { strict?: boolean }) => {
      process.exitCode = validate(files, options.strict ?? false);
    });

  registerVersionCommands(journeys);
  registerLifecycleCommands(journeys);
  registerPreviewCommand(journeys);
  registerBacktestCommand(journeys);
  registerResultsCommand(journeys);
}

function runsText(runs: Awaited<ReturnType<typeof liveRuns>> | undefined): string {
  if (!runs) return '?';
  const split = [...runs.byVersion].map(([v, n]) => `${v}: ${n}`).join(', ');
  return split ? `${runs.total} (${split})` : String(runs.total);
}

async function list(): Promise<number> {
  const config = loadConfig();
  const journeys = new JourneyStore(new Store(config));
  const states = await journeys.states();
  const versionsOf = new Map(await Promise.all(states.map(async (s) => [s.journeyId, (await journeys.versions(s.journeyId)).map((v) => v.version)] as const)));
  let counts: Map<string, Awaited<ReturnType<typeof liveRuns>>> | undefined;
  let unavailable: string | undefined;
  try {
    const client = await connectClient(config);
    counts = new Map(await Promise.all(states.map(async (s) => [s.journeyId, await liveRuns(client, s.journeyId, versionsOf.get(s.journeyId)!)] as const)));
  } catch (err) {
    unavailable = (err as Error).message;
  }
  if (!states.length) console.log("no journey is published yet; 'waymark journeys publish' publishes the shipped journeys and WAYMARK_JOURNEYS_DIR's files");
  const width = Math.max('journey'.length, ...states.map((s) => s.journeyId.length));
  const row = (id: string, version: string, status: string, n: string, running: string) => `${id.padEnd(width)}  ${version.padEnd(12)}  ${status.padEnd(8)}  ${n.padEnd(8)}  ${running}`;
  if (states.length) console.log(row('journey', 'current', 'status', 'versions', 'running'));
  for (const s of states) console.log(row(s.journeyId, s.currentVersion, s.status, String(versionsOf.get(s.journeyId)!.length), runsText(counts?.get(s.journeyId))));
  if (unavailable) console.error(`\nrunning counts unavailable: ${unavailable}`);
  try {
    printUnpublished(loadCatalog(config), states);
  } catch (err) {
    // The files are not what this command is about: a folder that cannot be read is a note, not a failure.
    console.error(`\njourney files not compared with the store: ${(err as Error).message}`);
  }
  return OK;
}

/** Journeys in the files (shipped, WAYMARK_JOURNEYS_DIR) the store does not have at all, and files left out. */
function printUnpublished(catalog: ReturnType<typeof loadCatalog>, states: JourneyState[]): void {
  const missing = catalog.sourced().filter(({ published }) => !states.some((s) => s.journeyId === published.definition.id));
  if (missing.length) console.log(`\nnot published yet: ${missing.map((m) => `${m.published.definition.id} (${m.source})`).join(', ')}; 'waymark journeys publish' stores them`);
  const invalid = catalog.problems.filter((p) => p.severity === 'error').map((p) => p.source);
  if (invalid.length) console.log(`journey files refused: ${invalid.join(', ')}; 'waymark journeys validate FILE' says why`);
}

async function show(ref: string): Promise<number> {
  const config = loadConfig();
  const journeys = new JourneyStore(new Store(config));
  const id = ref.split('@')[0]!;
  const state = (await journeys.states()).find((s) => s.journeyId === id);
  if (state) {
    const found = ref.includes('@') ? await resolveVersion(journeys, ref) : { journeyId: id, version: state.currentVersion };
    if (typeof found === 'string') {
      console.error(found);
      return FAILED;
    }
    const definition = await journeys.definition(found.journeyId, found.version);
    console.log(outline(definition!, found.version));
    const which = found.version === state.currentVersion ? 'the current version' : `not the current version (${state.currentVersion} is)`;
    console.log(`\nstatus: ${state.status}; ${which}; 'waymark journeys versions ${id}' lists every version`);
    return OK;
  }
  const catalog = loadCatalog(config);
  const file = catalog.sourced().find((j) => j.published.definition.id === id);
  if (!file || ref.includes('@')) {
    const leftOut = catalog.problems.filter((p) => p.severity === 'error').length;
    const hint = leftOut ? `; ${leftOut} journey file(s) were left out, 'waymark journeys validate' says why` : '';
    console.error(`no journey "${ref}" is published or in the journey files: 'waymark journeys list' shows the ids${hint}`);
    return FAILED;
  }
  console.log(outline(file.published.definition, file.published.version));
  console.log(`\nnot published: shown from ${file.source}; 'waymark journeys publish' makes it live`);
  return OK;
}


function validate(args: string[], strict: boolean): number {
  const { checked, empty } = checkFiles(args, validationLimits(loadConfig()));
  const print = (label: string, issues: ValidationIssue[]) => issues.forEach((i) => console.log(`  ${label.padEnd(7)} ${formatIssue(i)}`));
  for (const dir of empty) console.log(`invalid   ${dir}: has no .json, .yaml or .yml file`);
  for (const c of checked) {
    const verdict = c.issues.length ? 'invalid' : c.warnings.length ? 'warnings' : 'ok';
    const id = c.published && !c.issues.length ? `  (${c.published.definition.id}@${c.published.version})` : '';
    console.log(`${verdict.padEnd(9)} ${c.file}${id}`);
    print('error', c.issues);
    print('warning', c.warnings);
  }
  const invalid = checked.filter((c) => c.issues.length).length;
  const warned = checked.filter((c) => !c.issues.length && c.warnings.length).length;
  if (checked.length > 1 || invalid || warned || empty.length) {
    const strictNote = strict && warned ? ' (--strict: warnings fail)' : '';
    console.log(`\n${checked.length} file(s): ${checked.length - invalid - warned} ok, ${warned} with warnings, ${invalid} invalid${strictNote}`);
  }
  return invalid || empty.length || (strict && warned) ? FAILED : OK;
}
