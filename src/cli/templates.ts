import { withActor } from './actor';
import type { Command } from 'commander';
import type { RenderedContent } from '../channels/port';
import { loadConfig, type Config } from '../config';
import type { Journey } from '../journey/schema';
import { formatIssue, type ValidationIssue } from '../journey/validate';
import { PgProfileStore } from '../profiles/pg-store';
import { actorOf, loadCatalog } from '../runtime';
import { JourneyStore } from '../store/journeys';
import { Store } from '../store/store';
import { checkTemplateFiles, templateRefProblems, templatesFolder, validTemplates } from '../templates/catalog';
import { engines } from '../templates/liquid';
import { previewContext, type PreviewContext } from '../templates/preview';
import { publishTemplates } from '../templates/publish';
import { renderTemplate, TemplateRenderError } from '../templates/render';
import type { TemplateChannel } from '../templates/schema';
import { TemplateStore } from '../templates/template-store';
import { templateLimits } from '../templates/validate';

const OK = 0;
const FAILED = 1;

export function registerTemplatesCommand(program: Command): void {
  const templates = program
    .command('templates')
    .description('validate, publish, list and render message templates (email, sms, push, in_app)')
    .addHelpText(
      'after',
      `
A template is one .yaml/.yml/.json file with Liquid in its content fields; they live in
WAYMARK_TEMPLATES_DIR (default: the "templates" folder of WAYMARK_JOURNEYS_DIR, i.e. journeys/templates).
Sends render the current published version. docs/templates.md explains the format, the variables,
the Liquid allowed and every check.

Examples:
  waymark templates validate
  waymark templates publish journeys/templates/onboarding-welcome.yaml
  waymark templates list
  waymark templates render onboarding-welcome --customer ada`,
    );

  templates
    .command('validate')
    .description('check template files: shape, Liquid syntax, tags, filters and variables, each problem with its line')
    .argument('[paths...]', 'template files (.json, .yaml, .yml) or folders of them (default: WAYMARK_TEMPLATES_DIR)')
    .option('--strict', 'fail (exit 1) on warnings too, e.g. in CI')
    .addHelpText(
      'after',
      `
Also checks the journeys (shipped and WAYMARK_JOURNEYS_DIR's files) against the templates: a send
step naming a template of another channel is a warning; so is one naming a template that does not
exist, when the whole folder is checked. Exits 0 when every file is valid, 1 when one is invalid
(or on any warning, with --strict).

Examples:
  waymark templates validate
  waymark templates validate journeys/templates/trial-day12-discount.yaml
  waymark templates validate --strict my-templates/`,
    )
    .action((paths: string[], options: { strict?: boolean }) => {
      process.exitCode = validate(paths, options.strict ?? false);
    });

  templates
    .command('publish')
    .description('validate templates and store each as an immutable version; the next sends render it')
    .argument('[paths...]', 'template files (.json, .yaml, .yml) or folders of them (default: WAYMARK_TEMPLATES_DIR)')
    .option('--actor <name>', 'who the change is recorded as made by (default: WAYMARK_ACTOR, else user@host)')
    .addHelpText(
      'after',
      `
Prints, per template: "new template", "new version" (old -> new) or "unchanged" (the same content
as the current version: nothing is stored). An invalid file is refused with its line numbers; the
valid ones are published all the same. A template keeps its channel: a new channel needs a new id.
Then warns about send steps of published journeys whose template is not published (or is for
another channel). Exits 1 when a file was refused.

Examples:
  waymark templates publish
  waymark templates publish journeys/templates/onboarding-welcome.yaml --actor ada`,
    )
    .action(async (paths: string[], options: { actor?: string }) => {
      process.exitCode = await publish(paths, options.actor);
    });

  templates
    .command('list')
    .description('published templates: channel, current version, versions, last change; with an id, its history')
    .argument('[id]', 'a template id: list who published each of its versions, and when')
    .addHelpText(
      'after',
      `
Also names template files not published yet or changed since, and journeys' send steps whose
template is not published. Exits 1 when an id is given and no such template is published.

Examples:
  waymark templates list
  waymark templates list onboarding-welcome`,
    )
    .action(async (id: string | undefined) => {
      process.exitCode = id === undefined ? await list() : await history(id);
    });

  templates
    .command('render')
    .description("show exactly what a customer would get from a template: rendered with their stored profile, a journey's data and an event's properties")
    .argument('<template>', 'a template id (its current published version, else its file in WAYMARK_TEMPLATES_DIR), id@version, or a template file')
    .option('--customer <id>', "required: the customer whose stored profile (traits, contact) fills the template")
    .option('--event <json>', "the triggering event's properties, as a JSON object", '{}')
    .option('--journey <id>', 'the journey whose data fills journey.* (default: the first journey with a send step for this template)')
    .option('--json', 'print the rendered content as JSON (what the channel receives)')
    .addHelpText(
      'after',
      `
Exits 1 when the template cannot be rendered for this customer (a variable without a default is
missing, a required field renders empty, a placeholder is left) and says what to fix.

Examples:
  waymark templates render onboarding-welcome --customer ada
  waymark templates render churn-winback-offer --customer dennis --event '{"score":0.82}'
  waymark templates render trial-day12-discount@3f9a1c0b2d4e --customer alan --json
  waymark templates render journeys/templates/onboarding-tips.yaml --customer grace --journey onboarding`,
    )
    // Checked here rather than as a required option: commander would report it before an unknown option.
    .action(async function (this: Command, ref: string, options: { customer?: string; event: string; journey?: string; json?: boolean }) {
      if (!options.customer) this.error("error: required option '--customer <id>' not specified", { exitCode: 2, code: 'commander.error' });
      process.exitCode = await render(ref, { ...options, customer: options.customer });
    });
}

function printIssues(label: string, issues: ValidationIssue[]): void {
  for (const i of issues) console.log(`  ${label.padEnd(7)} ${formatIssue(i)}`);
}

/** The journeys in the files (shipped and WAYMARK_JOURNEYS_DIR), or none with a note when that folder cannot be read. */
function fileJourneys(config: Config): Journey[] {
  try {
    return loadCatalog(config).all().map((j) => j.definition);
  } catch (err) {
    console.error(`journeys not checked against the templates: ${(err as Error).message}`);
    return [];
  }
}

function validate(args: string[], strict: boolean): number {
  const config = loadConfig();
  const whole = args.length === 0;
  const { checked, empty } = checkTemplateFiles(whole ? [templatesFolder(config.templates.dir)] : args, engines(templateLimits(config)), templateLimits(config));
  for (const dir of empty) console.log(`invalid   ${dir}: has no .json, .yaml or .yml file`);
  for (const c of checked) {
    const verdict = c.issues.length ? 'invalid' : c.warnings.length ? 'warnings' : 'ok';
    const id = c.published && !c.issues.length ? `  (${c.published.definition.id}@${c.published.version}, ${c.published.definition.channel})` : '';
    console.log(`${verdict.padEnd(9)} ${c.file}${id}`);
    printIssues('error', c.issues);
    printIssues('warning', c.warnings);
  }
  const channels = new Map(validTemplates(checked).map((t) => [t.published.definition.id, t.published.definition.channel]));
  const refs = templateRefProblems(fileJourneys(config), channels, whole ? 'report' : 'ignore');
  if (refs.length) console.log(`\njourneys:\n${refs.map((r) => `  warning ${r.message}`).join('\n')}`);
  const invalid = checked.filter((c) => c.issues.length).length;
  const warned = checked.filter((c) => !c.issues.length && c.warnings.length).length;
  if (checked.length > 1 || invalid || warned || empty.length || refs.length) {
    const strictNote = strict && (warned || refs.length) ? ' (--strict: warnings fail)' : '';
    console.log(`\n${checked.length} file(s): ${checked.length - invalid - warned} ok, ${warned} with warnings, ${invalid} invalid; ${refs.length} journey warning(s)${strictNote}`);
  }
  return invalid || empty.length || (strict && (warned || refs.length)) ? FAILED : OK;
}

/** Send steps of the published journeys whose template is not published, or is for another channel. */
async function storeRefWarnings(journeys: JourneyStore, templates: TemplateStore): Promise<string[]> {
  const channels = new Map<string, TemplateChannel>((await templates.states()).map((s) => [s.templateId, s.channel]));
  const published = (await journeys.current()).filter((j) => j.status !== 'archived').map((j) => j.published.definition);
  return templateRefProblems(published, channels, 'report').map((r) => r.message);
}

async function publish(args: string[], actor: string | undefined): Promise<number> {
  const config = withActor(actor);
  if (!config) return FAILED;
  const store = new Store(config);
  const templates = new TemplateStore(store);
  const report = await publishTemplates(config, templates, actorOf(config), args);
  for (const p of report.published) {
    const what = p.outcome === 'new-version' ? `new version   ${p.templateId}  ${p.previous} -> ${p.version}` : `${p.outcome === 'new-template' ? 'new template' : 'unchanged   '}  ${p.templateId}@${p.version}`;
    console.log(`${what}  (${p.source})`);
    if (p.warnings.length) console.error(`${p.source} has warnings (it was published):\n${p.warnings.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
  for (const r of report.refused) console.error(`\n${r.source} was refused (nothing in it was published):\n${r.issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  const count = (o: string) => report.published.filter((p) => p.outcome === o).length;
  console.log(`\n${count('new-template')} new template(s), ${count('new-version')} new version(s), ${count('unchanged')} unchanged, ${report.refused.length} refused; recorded as made by ${report.actor}`);
  const warnings = await storeRefWarnings(new JourneyStore(store), templates);
  if (warnings.length) console.error(`\npublished journeys:\n${warnings.map((w) => `  warning ${w}`).join('\n')}`);
  return report.refused.length ? FAILED : OK;
}

async function list(): Promise<number> {
  const config = loadConfig();
  const store = new Store(config);
  const templates = new TemplateStore(store);
  const states = await templates.states();
  if (!states.length) console.log("no template is published yet; 'waymark templates publish' publishes WAYMARK_TEMPLATES_DIR's files");
  const width = Math.max('template'.length, ...states.map((s) => s.templateId.length));
  const row = (id: string, channel: string, version: string, n: string, changed: string) => `${id.padEnd(width)}  ${channel.padEnd(7)}  ${version.padEnd(12)}  ${n.padEnd(8)}  ${changed}`;
  if (states.length) console.log(row('template', 'channel', 'current', 'versions', 'changed'));
  for (const s of states) console.log(row(s.templateId, s.channel, s.currentVersion, String(s.versions), `${s.changedAt.toISOString()} by ${s.changedBy}`));
  try {
    const limits = templateLimits(config);
    const files = validTemplates(checkTemplateFiles([templatesFolder(config.templates.dir)], engines(limits), limits).checked);
    const current = new Map(states.map((s) => [s.templateId, s.currentVersion]));
    const unpublished = files.filter((f) => !current.has(f.published.definition.id)).map((f) => f.source);
    const changed = files.filter((f) => current.has(f.published.definition.id) && current.get(f.published.definition.id) !== f.published.version).map((f) => f.source);
    if (unpublished.length) console.log(`\nnot published yet: ${unpublished.join(', ')}`);
    if (changed.length) console.log(`changed since published: ${changed.join(', ')}`);
    if (unpublished.length || changed.length) console.log("'waymark templates publish' stores them");
  } catch (err) {
    // The files are not what this command is about: a folder that cannot be read is a note, not a failure.
    console.error(`\ntemplate files not compared with the store: ${(err as Error).message}`);
  }
  const warnings = await storeRefWarnings(new JourneyStore(store), templates);
  if (warnings.length) console.log(`\npublished journeys:\n${warnings.map((w) => `  warning ${w}`).join('\n')}`);
  return OK;
}

async function history(id: string): Promise<number> {
  const changes = await new TemplateStore(new Store(loadConfig())).history(id);
  if (!changes.length) {
    console.error(`no template "${id}" is published; 'waymark templates list' shows the published ones`);
    return FAILED;
  }
  for (const c of changes) console.log(`${c.at.toISOString()}  ${c.actor}  ${c.fromVersion ? `${c.fromVersion} -> ${c.version}` : `first version ${c.version}`}`);
  console.log(`\ncurrent: ${changes.at(-1)!.version}`);
  return OK;
}

function eventProperties(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // said below
  }
  return undefined;
}

function printPreview(p: PreviewContext, content: RenderedContent, customerId: string): void {
  const { definition, version } = p.template;
  const source = p.from === 'published' ? 'published' : `from ${p.from}, not published`;
  const address = definition.channel === 'email' ? p.profile.contact?.email : definition.channel === 'sms' ? p.profile.contact?.phone : undefined;
  const to = definition.channel === 'email' || definition.channel === 'sms' ? `  to ${address ?? `(no ${definition.channel === 'email' ? 'email address' : 'phone number'} on file)`}` : '';
  console.log(`template ${definition.id}@${version} (${definition.channel}, ${source})`);
  console.log(`customer ${customerId}${to}; journey ${p.journey.id}@${p.journey.version} step ${p.journey.step}${p.journey.from === 'published' ? '' : ' (journey file)'}\n`);
  for (const [field, value] of Object.entries(content)) {
    if (field === 'channel') continue;
    const text = String(value);
    if (text.includes('\n')) console.log(`--- ${field} ---\n${text.trimEnd()}\n`);
    else console.log(`${`${field}:`.padEnd(11)}${text}`);
  }
}

async function render(ref: string, options: { customer: string; event: string; journey?: string; json?: boolean }): Promise<number> {
  const properties = eventProperties(options.event);
  if (!properties) {
    console.error(`--event: must be a JSON object of the event's properties, e.g. '{"score":0.82}'`);
    return FAILED;
  }
  const config = loadConfig();
  const store = new Store(config);
  const deps = {
    config,
    templates: new TemplateStore(store),
    journeys: new JourneyStore(store),
    profiles: new PgProfileStore(store, config.profileKeepKeys, config.limits),
    liquid: engines(templateLimits(config)),
    journeyFiles: () => loadCatalog(config).all(),
  };
  try {
    const context = await previewContext({ ref, customerId: options.customer, eventProperties: properties, ...(options.journey ? { journeyId: options.journey } : {}) }, deps);
    if (!Object.keys(context.profile).length) console.error(`note: customer "${options.customer}" has no profile in the store; rendered with no traits and no contact fields`);
    const content = renderTemplate(context.template.definition, context.variables, deps.liquid);
    if (options.json) console.log(JSON.stringify(content, null, 2));
    else printPreview(context, content, options.customer);
    return OK;
  } catch (err) {
    if (!(err instanceof TemplateRenderError) && (err as { code?: string }).code !== 'TEMPLATE_PREVIEW') throw err;
    console.error(`waymark: ${(err as Error).message}`);
    return FAILED;
  }
}
