import type { Command } from 'commander';
import type { Config } from '../config';
import { checkJourneyFile, JOURNEY_FILE } from '../journey/journey-file';
import type { PublishedJourney } from '../journey/schema';
import { formatIssue, validationLimits } from '../journey/validate';
import { loadCatalog } from '../runtime';

const EXIT_USAGE = 2;

/** The journey a file holds (its problems printed when invalid) or a loaded journey by id: what preview and backtest run. */
export function journeyFor(ref: string, config: Config, command: Command): PublishedJourney | undefined {
  if (JOURNEY_FILE.test(ref)) {
    const checked = checkJourneyFile(ref, validationLimits(config));
    for (const issue of checked.issues) console.error(`error   ${formatIssue(issue)}`);
    for (const warning of checked.warnings) console.error(`warning ${formatIssue(warning)}`);
    if (!checked.published) console.error(`${ref} is not a valid journey; 'waymark journeys validate ${ref}' checks it`);
    return checked.published;
  }
  const found = loadCatalog(config).get(ref);
  if (!found) command.error(`error: no journey "${ref}"; 'waymark journeys list' shows the ids, or pass a .json/.yaml file`, { exitCode: EXIT_USAGE });
  return found;
}
