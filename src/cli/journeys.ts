import { loadConfig } from '../config';
import { loadCatalog } from '../runtime';
import { readJourneyFile } from '../journey/catalog';
import { publishJourney } from '../journey/publish';
import { JourneyValidationError } from '../journey/validate';
import { outline } from '../journey/outline';
import { installTemporalRuntime } from '../temporal/runtime';
import { createLogger } from '../logger';
import { PREVIEW_USAGE, previewCommand } from './journeys-preview';

/** `waymark journeys list | show ID | validate FILE... | preview ID|FILE` */
export async function journeysCommand([sub, ...args]: string[]): Promise<number> {
  const config = loadConfig();
  const limits = { maxWaitMs: config.journeys.maxWaitMs };
  if (sub === 'list') {
    for (const { definition: j, version } of loadCatalog(config).all()) {
      console.log(`${j.id.padEnd(20)} ${version}  entry "${j.entry.event}"  ${Object.keys(j.steps).length} steps  ${j.name}`);
    }
    return 0;
  }
  if (sub === 'show' && args[0]) {
    const found = loadCatalog(config).get(args[0]);
    if (!found) {
      console.error(`no journey "${args[0]}"; 'waymark journeys list' shows the ids`);
      return 1;
    }
    console.log(outline(found.definition, found.version));
    return 0;
  }
  if (sub === 'preview') {
    installTemporalRuntime(createLogger(config, 'preview'));
    return previewCommand(args, config);
  }
  if (sub === 'validate' && args.length) {
    let failed = 0;
    for (const file of args) {
      try {
        const { definition, version } = publishJourney(readJourneyFile(file), file, limits);
        console.log(`ok      ${file}  (${definition.id}@${version})`);
      } catch (err) {
        if (!(err instanceof JourneyValidationError)) throw err;
        failed++;
        console.log(`invalid ${err.message}`);
      }
    }
    return failed ? 1 : 0;
  }
  console.error(`usage: waymark journeys list | show ID | validate FILE.json|FILE.yaml ... | preview ID|FILE\n\n${PREVIEW_USAGE}`);
  return 2;
}
