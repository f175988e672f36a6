import fs from 'node:fs';
import os from 'node:os';
import type { Config } from './config';
import { formatProblem, JourneyCatalog } from './journey/catalog';
import { LiveCatalog } from './journey/live-catalog';
import { validationLimits } from './journey/validate';
import type { Logger } from './logger';
import { JourneyVersions } from './journey/versions';
import { SHIPPED_JOURNEYS } from '../journeys';
import { LocalChannel } from './channels/local';
import { BrazeChannel } from './channels/braze/channel';
import { BrazeSubscriptions } from './channels/braze/subscriptions';
import { MessageComposer } from './templates/compose';
import { generatedContent } from './content/open';
import { TemplateStore } from './templates/template-store';
import { publishTemplates } from './templates/publish';
import { SendLedger } from './channels/ledger';
import { JourneyPaths } from './store/journey-paths';
import { PgProfileStore } from './profiles/pg-store';
import type { ActivityDeps } from '../activities';
import { routerSettings } from './settings';
import { Store } from './store/store';
import { CustomerScores } from './scoring/customer-scores';
import { JourneyStore, type PublishGuard, type PublishOutcome } from './store/journeys';

/**
 * Reads the journey files: the shipped journeys plus the JSON/YAML files in WAYMARK_JOURNEYS_DIR.
 * An invalid file is left out (the valid journeys still load); with `logger`, each problem is logged with its file.
 */
export function loadCatalog(config: Config, logger?: Logger): JourneyCatalog {
  const catalog = JourneyCatalog.load(SHIPPED_JOURNEYS, config.journeys.dir, validationLimits(config));
  for (const problem of catalog.problems) logger?.[problem.severity === 'error' ? 'error' : 'warn']({ source: problem.source }, formatProblem(problem));
  return catalog;
}

/** Who a journey change is recorded as made by: WAYMARK_ACTOR, or the user and host of this process. */
export function actorOf(config: Config): string {
  return config.actor || `${os.userInfo().username}@${os.hostname()}`;
}

export type Deps = ActivityDeps & { store: Store; journeys: JourneyStore; templates: TemplateStore; outbox: LocalChannel };

/** The adapters, all on the one store config points at (connected on first use). */
export function createDeps(config: Config, logger?: Logger): Deps {
  const store = new Store(config, logger);
  const journeys = new JourneyStore(store);
  const outbox = new LocalChannel(store);
  const catalog = new LiveCatalog(journeys, config.store.catalogRefreshMs);
  const templates = new TemplateStore(store);
  return {
    store,
    journeys,
    templates,
    catalog,
    versions: new JourneyVersions(journeys, catalog),
    // Braze when configured; otherwise the local channel, the embedded default.
    channel: config.braze.url ? BrazeChannel.fromConfig(config) : outbox,
    // Consent changes told to Braze too, when it is the channel and has subscription groups.
    consentSync: BrazeSubscriptions.fromConfig(config),
    // Send steps with `generate` ask the model config names (none by default: the template is sent).
    composer: new MessageComposer(templates, config, generatedContent(config)),
    outbox,
    ledger: new SendLedger(store),
    policy: { ...config.policy, defaultTimezone: config.journeys.defaultTimezone },
    profiles: new PgProfileStore(store, config.profileKeepKeys, config.limits),
    routerSettings: routerSettings(config),
    scores: new CustomerScores(config, store),
    paths: new JourneyPaths(store),
  };
}

export interface PublishReport {
  published: Array<PublishOutcome & { journeyId: string; source: string }>;
  /** Files left out (invalid, or an id used twice) and warnings, with their file and line. */
  problems: JourneyCatalog['problems'];
}

/**
 * Publishes the given definitions (default: the shipped journeys and WAYMARK_JOURNEYS_DIR); the
 * same content again is a no-op. `guard`: what each publish must not override (`start`: a process
 * publishing its files as it starts leaves a journey whose current version an operator chose).
 */
export async function publishCatalog(config: Config, journeys: JourneyStore, catalog: JourneyCatalog = loadCatalog(config), guard: PublishGuard = 'none'): Promise<PublishReport> {
  const actor = actorOf(config);
  const published: PublishReport['published'] = [];
  for (const { published: journey, source } of catalog.sourced()) {
    published.push({ journeyId: journey.definition.id, source, ...(await journeys.publish(journey, source, actor, guard)) });
  }
  return { published, problems: catalog.problems };
}

/**
 * Opens the store before a process starts work, so a bad URL or schema stops the start with a
 * clear message (not the first activity); publishes the journey files when WAYMARK_PUBLISH_ON_START
 * says so. Returns the journeys then published, as "id@version (status)".
 */
export async function prepareStore(deps: Deps, logger?: Logger): Promise<string[]> {
  const { config } = deps.store;
  await deps.store.pool();
  if (config.store.publishOnStart) {
    const report = await publishCatalog(config, deps.journeys, loadCatalog(config, logger), 'start');
    for (const p of report.published) {
      if (p.outcome === 'left') logger?.warn({ journey: p.journeyId, version: p.version, current: p.current, source: p.source }, leftMessage(p));
      else if (p.outcome !== 'unchanged') logger?.info({ journey: p.journeyId, version: p.version, source: p.source }, `published ${p.journeyId}@${p.version} (${p.outcome})`);
    }
    if (fs.existsSync(config.templates.dir)) {
      const templates = await publishTemplates(config, deps.templates, actorOf(config));
      for (const p of templates.published.filter((x) => x.outcome !== 'unchanged')) logger?.info({ template: p.templateId, version: p.version }, `published template ${p.templateId}@${p.version}`);
      for (const r of templates.refused) logger?.error({ source: r.source }, `template not published: ${r.issues.map((i) => i.message).join('; ')}`);
    }
  }
  const snapshot = await deps.catalog.current();
  return snapshot.all().map((j) => `${j.definition.id}@${j.version} (${snapshot.status(j.definition.id)})`);
}

/** What start-up says of a journey file it did not publish because an operator chose the current version. */
export function leftMessage(p: { journeyId: string; version: string; current: string; reason: string; source: string }): string {
  return `${p.journeyId}: ${p.source} (${p.version}) differs from the current version ${p.current}, left as it is: ${p.reason}; 'waymark journeys publish ${p.source}' makes the file current`;
}
