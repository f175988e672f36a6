import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { JourneyCatalog } from '../../src/journey/catalog';
import { checkJourneyFile, JOURNEY_FILE } from '../../src/journey/journey-file';
import { validationLimits } from '../../src/journey/validate';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { loadAudiences } from '../../src/audiences/catalog';

/** The examples a newcomer copies first: every one must validate with no error and no warning. */

const EXAMPLES = path.join(__dirname, '../../docs/examples');
const files = fs.readdirSync(EXAMPLES).filter((f) => JOURNEY_FILE.test(f));
const limits = validationLimits(loadConfig({}));

describe('docs/examples', () => {
  it('holds the examples the docs name', () => {
    expect(files.sort()).toEqual(expect.arrayContaining(['welcome-series.yaml', 'winback.json']));
  });

  it.each(files)('%s validates with no error and no warning', (file) => {
    const checked = checkJourneyFile(path.join(EXAMPLES, file), limits);
    expect({ issues: checked.issues, warnings: checked.warnings }).toEqual({ issues: [], warnings: [] });
    expect(checked.published).toBeDefined();
  });

  it('holds an audience that loads next to the shipped one without a problem', () => {
    const { audiences, problems } = loadAudiences(loadConfig({}, { WAYMARK_JOURNEYS_DIR: EXAMPLES }));
    expect(problems).toEqual([]);
    expect([...audiences.keys()]).toEqual(['paying-at-risk', 'likely-buyers']);
  });

  it('load next to the shipped journeys without a problem', () => {
    const catalog = JourneyCatalog.load(SHIPPED_JOURNEYS, EXAMPLES, limits);
    expect(catalog.problems).toEqual([]);
    expect(catalog.all()).toHaveLength(Object.keys(SHIPPED_JOURNEYS).length + files.length);
  });
});
