import path from 'node:path';
import type { Config } from './config';
import { JourneyCatalog } from './journey/catalog';
import { SHIPPED_JOURNEYS } from '../journeys';
import { FileOutbox } from './channels/outbox';
import { FileProfileStore } from './profiles/file-store';
import type { ActivityDeps } from '../activities';
import { routerSettings } from './settings';

/** Loads the journey catalog: the shipped journeys plus JSON/YAML files in WAYMARK_JOURNEYS_DIR. */
export function loadCatalog(config: Config): JourneyCatalog {
  return JourneyCatalog.load(SHIPPED_JOURNEYS, config.journeys.dir, { maxWaitMs: config.journeys.maxWaitMs });
}

/** The adapters config picks. Locally: the file outbox and file profile store under the data dir. */
export function createDeps(config: Config): ActivityDeps & { outbox: FileOutbox } {
  const outbox = new FileOutbox(path.join(config.dataDir, 'outbox'));
  return {
    catalog: loadCatalog(config),
    channel: outbox,
    outbox,
    profiles: new FileProfileStore(path.join(config.dataDir, 'profiles'), config.profileKeepKeys),
    routerSettings: routerSettings(config),
  };
}
