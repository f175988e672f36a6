import { withActor } from './actor';
import type { Command } from 'commander';
import type { Config } from '../config';
import { JourneyCatalog, type CatalogProblem } from '../journey/catalog';
import { formatIssue, validationLimits } from '../journey/validate';
import { actorOf, loadCatalog, publishCatalog } from '../runtime';
import { JourneyStore } from '../store/journeys';
import { Store } from '../store/store';
import { templateRefProblems } from '../templates/catalog';
import type { TemplateChannel } from '../templates/schema';
import { TemplateStore } from '../templates/template-store';
import { checkFiles } from './journeys-files';

const OK = 0;
const FAILED = 1;

export function registerPublishCommand(journeys: Command): void {
  journeys
    .command('publish')
    .description('validate journeys and store each as an immutable version; running workers and APIs use it within WAYMARK_CATALOG_REFRESH')
    .argument('[files...]', 'journey files (.json, .yaml, .yml) or folders of them (default: the shipped journeys and WAYMARK_JOURNEYS_DIR)')
    .option('--actor <name>', 'who the change is recorded as made by (default: WAYMARK_ACTOR, else user@host)')
    .option('--force', 'publish a file even when its journey was last published from another file (a copy that kept its id replaces that journey)')
    .addHelpText(
      'after',
      `
Prints, per journey: "new journey", "new version" (old -> new), "back to version" (content
published before: that version is current again) or "unchanged" (the same content as the current
version: nothing is stored). An invalid file is refused with its name and the line of each
problem; the valid ones are published all the same. A file whose journey was last published from
another file is refused too (a copy that kept the id would replace that journey): give the copy an
id of its own, or publish with --force. Customers already in a journey keep the version they
entered; new entries take the new one. 'waymark journeys diff ID FILE' shows what publishing a
file would change.

Exits 1 when a file was refused.

Examples:
  waymark journeys publish
  waymark journeys publish docs/examples/welcome-series.yaml --actor ada`,
    )
    .action(async (files: string[], options: { actor?: string; force?: boolean }) => {
      process.exitCode = await publish(files, options.actor, options.force === true);
    });
}

/** The named files as a catalog: the valid journeys, and a problem for every file refused or warned about. */
function catalogOf(args: string[], config: Config): JourneyCatalog {
  const { checked, empty } = checkFiles(args, validationLimits(config));
  const problems: CatalogProblem[] = empty.map((dir) => ({ source: dir, severity: 'error', issues: [{ path: '', message: 'has no .json, .yaml or .yml file' }] }));
  for (const c of checked) {
    if (c.issues.length) problems.push({ source: c.file, severity: 'error', issues: c.issues });
    if (c.warnings.length) problems.push({ source: c.file, severity: 'warning', issues: c.warnings });
  }
  const valid = checked.filter((c) => c.published && !c.issues.length);
  return new JourneyCatalog(
    valid.map((c) => c.published!),
    problems,
    new Map(valid.map((c) => [c.published!.definition.id, c.file])),
  );
}

function describeProblem({ source, severity, issues }: CatalogProblem): string {
  const verdict = severity === 'error' ? 'was refused (nothing in it was published)' : 'has warnings (it was published)';
  return `${source} ${verdict}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`;
}

async function publish(args: string[], actor: string | undefined, force: boolean): Promise<number> {
  const config = withActor(actor);
  if (!config) return FAILED;
  const catalog = args.length ? catalogOf(args, config) : loadCatalog(config);
  const store = new Store(config);
  const journeys = new JourneyStore(store);
  const report = await publishCatalog(config, journeys, catalog, force ? 'none' : 'other-file');
  const status = new Map((await journeys.states()).map((s) => [s.journeyId, s.status]));
  // Send steps whose template is not published (or is for another channel): a warning, as either may be published first.
  const channels = new Map<string, TemplateChannel>((await new TemplateStore(store).states()).map((t) => [t.templateId, t.channel]));
  const stored = new Set(report.published.filter((p) => p.outcome !== 'left').map((p) => p.journeyId));
  const refs = templateRefProblems(catalog.sourced().map((c) => c.published.definition).filter((j) => stored.has(j.id)), channels, 'report');

  for (const p of report.published) {
    if (p.outcome === 'left') continue;
    const what =
      p.outcome === 'new-version'
        ? `${p.earlier ? 'back to version' : 'new version  '} ${p.journeyId}  ${p.previous} -> ${p.version}${p.earlier ? ` (first published ${p.earlier.publishedAt.toISOString()})` : ''}`
        : `${p.outcome === 'new-journey' ? 'new journey' : 'unchanged'}     ${p.journeyId}@${p.version}`;
    const held = status.get(p.journeyId) !== 'active' ? `  [${status.get(p.journeyId)}: takes no new customers until 'waymark journeys resume ${p.journeyId}']` : '';
    console.log(`${what}  (${p.source})${held}`);
  }
  const left = report.published.flatMap((p) => (p.outcome === 'left' ? [p] : []));
  for (const p of left) {
    console.error(`\n${p.source} was refused: journey "${p.journeyId}": its current version ${p.reason}; publishing this file would replace it. Give the copy an id of its own, or publish it with --force.`);
  }
  const refused = report.problems.filter((p) => p.severity === 'error');
  for (const problem of report.problems) console.error(`\n${describeProblem(problem)}`);
  if (refs.length) console.log(`\ntemplates:\n${refs.map((r) => `  warning ${r.message}`).join('\n')}\n  ('waymark templates publish' publishes them; publish them before customers reach these steps)`);

  const count = (o: string, earlier?: boolean) => report.published.filter((p) => p.outcome === o && (earlier === undefined || ('earlier' in p && p.earlier !== undefined) === earlier)).length;
  const returned = count('new-version', true);
  console.log(
    `\n${count('new-journey')} new journey(s), ${count('new-version', false)} new version(s)${returned ? `, ${returned} back to an earlier version` : ''}, ${count('unchanged')} unchanged, ${refused.length + left.length} file(s) refused; recorded as made by ${actorOf(config)}`,
  );
  if (count('new-version')) console.log(`Customers already in a journey keep their version; new entries take the new one within ${config.store.catalogRefreshMs / 1000}s (WAYMARK_CATALOG_REFRESH).`);
  return refused.length || left.length ? FAILED : OK;
}
