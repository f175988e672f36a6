import path from 'node:path';
import type { Config } from './config';
import { formatProblem, JourneyCatalog } from './journey/catalog';
import { validationLimits } from './journey/validate';
import type { Logger } from './logger';
import { JourneyVersions } from './journey/versions';
import { SHIPPED_JOURNEYS } from '../journeys';
import { FileOutbox } from './channels/outbox';
import { FileProfileStore } from './profiles/file-store';
import type { ActivityDeps } from '../activities';
import { routerSettings } from './settings';

/**
 * Loads the journey catalog: the shipped journeys plus JSON/YAML files in WAYMARK_JOURNEYS_DIR.
 * An invalid file is left out (the valid journeys still load); with `logger`, each problem is logged with its file.
 */
export function loadCatalog(config: Config, logger?: Logger): JourneyCatalog {
  const catalog = JourneyCatalog.load(SHIPPED_JOURNEYS, config.journeys.dir, validationLimits(config));
  for (const problem of catalog.problems) logger?.[problem.severity === 'error' ? 'error' : 'warn']({ source: problem.source }, formatProblem(problem));
  return catalog;
}

/** The adapters config picks. Locally: the file outbox and file profile store under the data dir. */
export function createDeps(config: Config, catalog = loadCatalog(config)): ActivityDeps & { outbox: FileOutbox } {
  const outbox = new FileOutbox(path.join(config.dataDir, 'outbox'));
  return {
    catalog,
    versions: new JourneyVersions(path.join(config.dataDir, 'journey-versions'), catalog),
    channel: outbox,
    outbox,
    profiles: new FileProfileStore(path.join(config.dataDir, 'profiles'), config.profileKeepKeys, config.limits),
    routerSettings: routerSettings(config),
  };
}
