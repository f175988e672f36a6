import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { diffJourneys, formatDiff } from '../journey/diff';
import { checkJourneyFile } from '../journey/journey-file';
import { formatIssue, validationLimits } from '../journey/validate';
import { JourneyStore, type JourneyChange } from '../store/journeys';
import { Store } from '../store/store';

const OK = 0;
const FAILED = 1;

/**
 * A version named as `id@version`, `id@start-of-version`, or the start of a version alone (of
 * whichever journey has it). Returns what it names, or a sentence saying why it names nothing.
 */
export async function resolveVersion(journeys: JourneyStore, ref: string): Promise<{ journeyId: string; version: string } | string> {
  const at = ref.indexOf('@');
  const [journeyId, prefix] = at >= 0 ? [ref.slice(0, at), ref.slice(at + 1)] : [undefined, ref];
  if (!/^[0-9a-f]+$/.test(prefix)) return `"${ref}": a version is hex digits (e.g. b4a650901c98, or its first few), written alone or as id@version`;
  let found: Array<{ journeyId: string; version: string }>;
  if (journeyId !== undefined) {
    const versions = await journeys.versions(journeyId);
    if (!versions.length) return `no journey "${journeyId}" is published; 'waymark journeys list' shows those that are`;
    found = versions.filter((v) => v.version.startsWith(prefix));
  } else {
    found = await journeys.findVersions(prefix);
  }
  if (found.length === 1) return found[0]!;
  const where = journeyId ? `journey "${journeyId}"` : 'any journey';
  if (!found.length) return `no version of ${where} starts with "${prefix}"; 'waymark journeys versions ID' lists them`;
  return `"${ref}" matches ${found.length} versions (${found.map((f) => `${f.journeyId}@${f.version}`).join(', ')}); give more of it`;
}

export function registerVersionCommands(journeys: Command): void {
  journeys
    .command('versions')
    .description('every published version of a journey: when, by whom, from which file; the current one marked')
    .argument('<id>', 'a published journey id')
    .addHelpText('after', "\nSame as 'waymark journeys list ID'.\n\nExample:\n  waymark journeys versions onboarding")
    .action(async (id: string) => {
      process.exitCode = await versions(id);
    });

  journeys
    .command('history')
    .description('every change to a journey (publish, pause, resume, archive, rollback) with its time and actor')
    .argument('<id>', 'a published journey id')
    .addHelpText('after', '\nExample:\n  waymark journeys history onboarding')
    .action(async (id: string) => {
      process.exitCode = await history(id);
    });

  journeys
    .command('diff')
    .description('what changed between two published versions, or what publishing a file would change: entry, goals, exits, steps added, removed and changed field by field')
    .argument('<from>', 'a version: id@version, or a unique start of a version (e.g. b4a6); with a FILE as <to>, a journey id alone is its current version')
    .argument('<to>', 'the other version, written the same way, or a journey file (.json, .yaml, .yml)')
    .addHelpText(
      'after',
      '\nExits 1 when a version is unknown or ambiguous, or the file is not a valid journey.\n\nExamples:\n  waymark journeys diff onboarding@b4a6 onboarding@0c1d\n  waymark journeys diff b4a6 0c1d\n  waymark journeys diff onboarding journeys/onboarding.yaml   # before publishing it',
    )
    .action(async (from: string, to: string) => {
      process.exitCode = await diff(from, to);
    });
}

const journeysOf = () => new JourneyStore(new Store(loadConfig()));

export async function versions(id: string): Promise<number> {
  const journeys = journeysOf();
  const [all, states] = await Promise.all([journeys.versions(id), journeys.states()]);
  if (!all.length) {
    console.error(`no journey "${id}" is published; 'waymark journeys list' shows those that are`);
    return FAILED;
  }
  const current = states.find((s) => s.journeyId === id);
  console.log(`${id} (${current?.status}): ${all.length} version(s), oldest first`);
  for (const v of all) {
    const mark = v.version === current?.currentVersion ? '  <- current' : '';
    console.log(`  ${v.version}  ${v.publishedAt.toISOString()}  by ${v.publishedBy}  from ${v.source}${mark}`);
  }
  return OK;
}

function changeText(c: JourneyChange): string {
  switch (c.action) {
    case 'publish':
      return c.fromVersion ? `${c.fromVersion} -> ${c.version}` : `${c.version} (first version)`;
    case 'rollback':
      return `${c.fromVersion} -> ${c.version}`;
    default:
      return `at version ${c.version}`;
  }
}

async function history(id: string): Promise<number> {
  const changes = await journeysOf().history(id);
  if (!changes.length) {
    console.error(`no journey "${id}" is published; 'waymark journeys list' shows those that are`);
    return FAILED;
  }
  const width = Math.max(...changes.map((c) => changeText(c).length));
  for (const c of changes) console.log(`${c.at.toISOString()}  ${c.action.padEnd(8)}  ${changeText(c).padEnd(width)}  by ${c.actor}`);
  return OK;
}

async function diff(fromRef: string, toRef: string): Promise<number> {
  const journeys = journeysOf();
  if (fs.statSync(toRef, { throwIfNoEntry: false })?.isFile()) return diffFile(journeys, fromRef, toRef);
  const [from, to] = await Promise.all([resolveVersion(journeys, fromRef), resolveVersion(journeys, toRef)]);
  for (const problem of [from, to]) if (typeof problem === 'string') console.error(problem);
  if (typeof from === 'string' || typeof to === 'string') return FAILED;
  const [before, after] = await Promise.all([journeys.definition(from.journeyId, from.version), journeys.definition(to.journeyId, to.version)]);
  console.log(`${from.journeyId}@${from.version} -> ${to.journeyId}@${to.version}`);
  console.log(formatDiff(diffJourneys(before!, after!)));
  return OK;
}

/** What publishing `file` would change against `fromRef`: a journey's current version, or any version. */
async function diffFile(journeys: JourneyStore, fromRef: string, file: string): Promise<number> {
  const checked = checkJourneyFile(file, validationLimits(loadConfig()));
  if (checked.issues.length || !checked.published) {
    console.error(`${file} is not a valid journey:\n${checked.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    return FAILED;
  }
  const current = (await journeys.states()).find((s) => s.journeyId === fromRef);
  const from = current ? { journeyId: current.journeyId, version: current.currentVersion } : await resolveVersion(journeys, fromRef);
  if (typeof from === 'string') {
    console.error(from);
    return FAILED;
  }
  const { definition, version } = checked.published;
  const before = await journeys.definition(from.journeyId, from.version);
  console.log(`${from.journeyId}@${from.version}${current ? ' (current)' : ''} -> ${file} (${definition.id}@${version})`);
  if (definition.id !== from.journeyId) console.log(`note: the file's journey id is "${definition.id}": publishing it changes that journey, not "${from.journeyId}"`);
  if (version === from.version) {
    console.log('the same content: publishing the file would change nothing');
    return OK;
  }
  const stored = (await journeys.versions(definition.id)).find((v) => v.version === version);
  if (stored) console.log(`the file holds version ${version}, published ${stored.publishedAt.toISOString()} by ${stored.publishedBy}: publishing it goes back to that version`);
  console.log(formatDiff(diffJourneys(before!, definition)));
  return OK;
}
