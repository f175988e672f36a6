import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { JourneyCatalog } from '../../src/journey/catalog';
import { validationLimits } from '../../src/journey/validate';
import { ALIAS_BOMB, deepFilterJson, deepFilterYaml, padded, welcomeYaml, winbackJson } from '../support/bad-files';
import { runWaymark } from '../support/cli';
import { dirWith } from '../support/files';
import { storeEnv, testConfig } from '../support/harness';

/**
 * One bad journey file among good ones (an alias bomb, a filter nested 2,000 levels deep in YAML
 * and in JSON, a file over WAYMARK_JOURNEY_MAX_BYTES): it is refused with its name and what is
 * wrong, and the good files are loaded, validated and published all the same.
 */

/** A folder of two good journeys and four bad files; `problems` is what each bad file must be refused for. */
function folder(): { dir: string; problems: Record<string, RegExp> } {
  const dir = dirWith({
    'welcome.yaml': welcomeYaml(),
    'winback.json': winbackJson(),
    'bomb.yaml': ALIAS_BOMB,
    'deep.yaml': deepFilterYaml(2_000),
    'deep.json': deepFilterJson(2_000),
    'huge.yaml': padded(welcomeYaml().replace('id: welcome-series', 'id: huge'), 300_000),
  });
  // A YAML file may be stopped by the reader (the first message) or by the depth check (the second): where depends on the stack.
  const deep = /nests lists and maps too deeply(: more than 32 levels \(WAYMARK_JOURNEY_MAX_DEPTH\)| to be read)/;
  return {
    dir,
    problems: {
      'bomb.yaml': /is not valid YAML: Excessive alias count indicates a resource exhaustion attack; write out what its aliases \(\*name\) stand for/,
      'deep.yaml': deep,
      'deep.json': /entry\.filter(\.not)+: nests lists and maps too deeply: more than 32 levels \(WAYMARK_JOURNEY_MAX_DEPTH\)/,
      'huge.yaml': /is 300000 bytes, over WAYMARK_JOURNEY_MAX_BYTES \(262144\)/,
    },
  };
}

const NO_OVERFLOW = /Maximum call stack size exceeded/;

describe('bad journey files next to good ones', () => {
  it('JourneyCatalog.load leaves out each bad file, naming it and why, and loads the good ones', () => {
    const { dir, problems } = folder();
    const catalog = JourneyCatalog.load({}, dir, validationLimits(loadConfig({})));
    expect(catalog.all().map((j) => j.definition.id).sort()).toEqual(['welcome-series', 'winback']);
    expect(catalog.problems.map((p) => path.basename(p.source)).sort()).toEqual(Object.keys(problems).sort());
    for (const problem of catalog.problems) {
      expect(problem.severity).toBe('error');
      const text = problem.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
      expect(text).toMatch(problems[path.basename(problem.source)]!);
      expect(text).not.toMatch(NO_OVERFLOW);
    }
  });

  it('journeys validate DIR names each bad file and its problem, passes the good ones, and exits 1', async () => {
    const { dir, problems } = folder();
    const result = await runWaymark(['journeys', 'validate', dir], { WAYMARK_JOURNEYS_DIR: '', WAYMARK_LOG_LEVEL: 'warn' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^ok +${path.join(dir, 'welcome.yaml')} +\\(welcome-series@`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^ok +${path.join(dir, 'winback.json')} +\\(winback@`, 'm'));
    for (const [file, problem] of Object.entries(problems)) {
      const block = result.stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`invalid   ${path.join(dir, file)}\n`));
      expect(block).toMatch(problem);
    }
    expect(result.stdout).toContain('6 file(s): 2 ok, 0 with warnings, 4 invalid');
    expect(result.stdout + result.stderr).not.toMatch(NO_OVERFLOW);
  });

  it('journeys publish DIR publishes the good files, refuses each bad one with its name and problem, and exits 1', async () => {
    const { dir, problems } = folder();
    const result = await runWaymark(['journeys', 'publish', dir, '--actor', 'ada'], { ...storeEnv(testConfig()), WAYMARK_JOURNEYS_DIR: '', WAYMARK_LOG_LEVEL: 'warn' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^new journey +welcome-series@[0-9a-f]{12}/m);
    expect(result.stdout).toMatch(/^new journey +winback@[0-9a-f]{12}/m);
    expect(result.stdout).toContain('2 new journey(s), 0 new version(s), 0 unchanged, 4 file(s) refused');
    for (const [file, problem] of Object.entries(problems)) {
      const block = result.stderr.split('\n\n').find((b) => b.trim().startsWith(`${path.join(dir, file)} was refused (nothing in it was published):`));
      expect(block).toMatch(problem);
    }
    expect(result.stdout + result.stderr).not.toMatch(NO_OVERFLOW);
  });

  it('a bad WAYMARK_JOURNEY_MAX_BYTES or WAYMARK_JOURNEY_MAX_DEPTH stops the start, naming the variable', () => {
    expect(() => loadConfig({ WAYMARK_JOURNEY_MAX_DEPTH: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ WAYMARK_JOURNEY_MAX_DEPTH: '2' })).toThrow('WAYMARK_JOURNEY_MAX_DEPTH="2": must be at least 8');
    expect(() => loadConfig({ WAYMARK_JOURNEY_MAX_BYTES: 'big' })).toThrow('WAYMARK_JOURNEY_MAX_BYTES="big": must be a number');
  });
});
