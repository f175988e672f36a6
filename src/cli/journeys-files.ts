import fs from 'node:fs';
import path from 'node:path';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { duplicateIdProblems, type Candidate } from '../journey/catalog';
import { checkJourneyFile, JOURNEY_FILE, type CheckedFile } from '../journey/journey-file';
import { sealJourney } from '../journey/publish';
import { validateJourney, type ValidationLimits } from '../journey/validate';

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

/**
 * Checks the journey files and folders a user named (validate, publish): each file with its
 * issues and warnings, a journey id used by two of them or by a shipped journey counted as an
 * issue of the file; `empty` are the folders with no journey file.
 */
export function checkFiles(args: string[], limits: ValidationLimits): { checked: CheckedFile[]; empty: string[] } {
  const { files, empty } = expand(args);
  const checked = files.map((file) => check(file, limits));
  const candidates = checked.flatMap((c): Candidate[] => (c.published ? [{ source: c.file, published: c.published, idLine: c.lineOf('id') }] : []));
  for (const problem of duplicateIdProblems([...shippedCandidates(limits), ...candidates])) {
    checked.find((c) => c.file === problem.source)?.issues.push(...problem.issues);
  }
  return { checked, empty };
}
