import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { loadCatalog } from '../runtime';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { duplicateIdProblems, formatProblem, type Candidate } from '../journey/catalog';
import { checkJourneyFile, JOURNEY_FILE, type CheckedFile } from '../journey/journey-file';
import { outline } from '../journey/outline';
import { sealJourney } from '../journey/publish';
import { formatIssue, validateJourney, validationLimits, type ValidationIssue, type ValidationLimits } from '../journey/validate';
import { registerPreviewCommand } from './journeys-preview';

const OK = 0;
const FAILED = 1;

export function registerJourneysCommand(program: Command): void {
  const journeys = program
    .command('journeys')
    .description('list, show, validate and preview journeys')
    .addHelpText(
      'after',
      `
The catalog is the shipped journeys (journeys/*.ts) plus every .json/.yaml/.yml file in
WAYMARK_JOURNEYS_DIR. docs/authoring-journeys.md explains the format and every check.

Examples:
  waymark journeys list
  waymark journeys show onboarding
  waymark journeys validate docs/examples/
  waymark journeys preview trial-conversion --event subscription_started@8d`,
    );

  journeys
    .command('list')
    .description('every loaded journey (id, version, entry event, steps), then each file that was left out or has warnings')
    .addHelpText('after', '\nExits 1 when a journey file was left out (invalid, or its id is used twice).\n\nExample:\n  WAYMARK_JOURNEYS_DIR=docs/examples waymark journeys list')
    .action(() => {
      process.exitCode = list();
    });

  journeys
    .command('show')
    .description("a loaded journey's outline: entry, goals and exits with their filters, then each step with its conditions and where it leads")
    .argument('<id>', "a journey id, as 'waymark journeys list' shows them")
    .addHelpText('after', '\nExits 1 when no journey has that id.\n\nExample:\n  waymark journeys show trial-conversion')
    .action((id: string) => {
      process.exitCode = show(id);
    });

  journeys
    .command('validate')
    .description('check journey files before deploying them: errors make a file invalid; warnings point at paths no run can take')
    .argument('<files...>', 'journey files (.json, .yaml, .yml), or folders: every such file in them')
    .option('--strict', 'fail (exit 1) on warnings too, e.g. in CI')
    .addHelpText(
      'after',
      `
Also reports a journey id used by two of the files, or by a shipped journey: the catalog would
load neither. Exits 0 when every file is valid (warnings are printed), 1 when one is invalid (or
has warnings, with --strict).

Examples:
  waymark journeys validate my-journeys/welcome.yaml
  waymark journeys validate --strict my-journeys/`,
    )
    .action((files: string[], options: { strict?: boolean }) => {
      process.exitCode = validate(files, options.strict ?? false);
    });

  registerPreviewCommand(journeys);
}

function list(): number {
  const catalog = loadCatalog(loadConfig());
  for (const { definition: j, version } of catalog.all()) {
    console.log(`${j.id.padEnd(20)} ${version}  entry "${j.entry.event}"  ${Object.keys(j.steps).length} steps  ${j.name}`);
  }
  for (const problem of catalog.problems) console.error(`\n${formatProblem(problem)}`);
  return catalog.problems.some((p) => p.severity === 'error') ? FAILED : OK;
}

function show(id: string): number {
  const catalog = loadCatalog(loadConfig());
  const found = catalog.get(id);
  if (!found) {
    const leftOut = catalog.problems.filter((p) => p.severity === 'error').length;
    const hint = leftOut ? `; ${leftOut} journey file(s) were left out, 'waymark journeys list' says why` : '';
    console.error(`no journey "${id}": 'waymark journeys list' shows the ids${hint}`);
    return FAILED;
  }
  console.log(outline(found.definition, found.version));
  return OK;
}

/** The files named, with folders replaced by their journey files; each file once. */
function expand(args: string[]): { files: string[]; empty: string[] } {
  const files: string[] = [];
  const empty: string[] = [];
  for (const arg of args) {
    const isDir = fs.statSync(arg, { throwIfNoEntry: false })?.isDirectory();
    const found = isDir ? fs.readdirSync(arg).filter((f) => JOURNEY_FILE.test(f)).sort().map((f) => path.join(arg, f)) : [arg];
    if (!found.length) empty.push(arg);
    for (const file of found) if (!files.some((f) => path.resolve(f) === path.resolve(file))) files.push(file);
  }
  return { files, empty };
}

function check(file: string, limits: ValidationLimits): CheckedFile {
  if (!JOURNEY_FILE.test(file) && fs.existsSync(file)) {
    return { file, issues: [{ path: '', message: 'is not a journey file: name a .json, .yaml or .yml file, or a folder of them' }], warnings: [], lineOf: () => undefined };
  }
  return checkJourneyFile(file, limits);
}

/** The shipped journeys, so a file that reuses one of their ids is reported as the catalog would. */
function shippedCandidates(limits: ValidationLimits): Candidate[] {
  return Object.entries(SHIPPED_JOURNEYS).flatMap(([source, definition]) => {
    const result = validateJourney(definition, limits);
    return result.ok ? [{ source, published: sealJourney(result.journey) }] : [];
  });
}

function validate(args: string[], strict: boolean): number {
  const limits = validationLimits(loadConfig());
  const { files, empty } = expand(args);
  const checked = files.map((file) => check(file, limits));
  const candidates = checked.flatMap((c): Candidate[] => (c.published ? [{ source: c.file, published: c.published, idLine: c.lineOf('id') }] : []));
  for (const problem of duplicateIdProblems([...shippedCandidates(limits), ...candidates])) {
    const file = checked.find((c) => c.file === problem.source);
    file?.issues.push(...problem.issues);
  }

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
