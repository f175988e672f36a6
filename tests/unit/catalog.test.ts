import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { formatProblem, JourneyCatalog, type CatalogProblem } from '../../src/journey/catalog';
import { checkJourneyFile } from '../../src/journey/journey-file';
import { publishJourney } from '../../src/journey/publish';
import type { ValidationLimits } from '../../src/journey/validate';
import { ConfigError } from '../../src/config';
import { SHIPPED_JOURNEYS } from '../../journeys';
import { dirWith } from '../support/files';

/**
 * Loading JSON and YAML journeys from a directory: versions, freezing, and problems that name the
 * file and the line, without one bad file taking the valid journeys down.
 */

const LIMITS: ValidationLimits = { maxWaitMs: 365 * 86_400_000 };
const EXAMPLES = path.join(__dirname, '../../docs/examples');
const FIXTURES = path.join(__dirname, '../fixtures/journeys');
const VERSION = /^[0-9a-f]{12}$/;

type Obj = { [key: string]: unknown };



const example = (name: string) => fs.readFileSync(path.join(EXAMPLES, name), 'utf8');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const welcomeYaml = () => example('welcome-series.yaml');
const winbackJson = () => example('winback.json');

/** The same value with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

/** The catalog of `dir` alone, with its journeys' ids and its problems. */
function loadDir(dir: string, limits = LIMITS): { ids: string[]; problems: readonly CatalogProblem[] } {
  const catalog = JourneyCatalog.load({}, dir, limits);
  return { ids: catalog.all().map((j) => j.definition.id).sort(), problems: catalog.problems };
}

function loadOne(dir: string) {
  const catalog = JourneyCatalog.load({}, dir, LIMITS);
  expect(catalog.problems).toEqual([]);
  const all = catalog.all();
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('JourneyCatalog.load', () => {
  it('publishes the JSON and YAML examples with 12-hex versions', () => {
    const dir = dirWith({ 'welcome-series.yaml': welcomeYaml(), 'winback.json': winbackJson() });
    const catalog = JourneyCatalog.load({}, dir, LIMITS);

    expect(catalog.all().map((j) => j.definition.id).sort()).toEqual(['welcome-series', 'winback']);
    for (const j of catalog.all()) expect(j.version).toMatch(VERSION);
    const welcome = catalog.get('welcome-series')!;
    expect(welcome.definition.start).toBe('welcome');
    expect(welcome.definition.steps.next_morning).toEqual({
      kind: 'wait',
      until: { time: '09:30', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      next: 'profile_check',
    });
    expect(catalog.get('winback')!.definition.reentry).toEqual({ policy: 'after_exit', cooldown: '90d' });
    expect(catalog.get('nope')).toBeUndefined();
  });

  it('publishes the shipped journeys alongside the files', () => {
    const dir = dirWith({ 'welcome-series.yaml': welcomeYaml(), 'winback.json': winbackJson() });
    const ids = JourneyCatalog.load(SHIPPED_JOURNEYS, dir, LIMITS).all().map((j) => j.definition.id);
    expect(ids.sort()).toEqual(['churn-prevention', 'onboarding', 'trial-conversion', 'welcome-series', 'winback']);
  });

  it('reads .yml files and ignores files that are not JSON or YAML', () => {
    const dir = dirWith({ 'welcome.yml': welcomeYaml(), 'README.md': '# not a journey', 'notes.txt': 'id: nope' });
    expect(loadOne(dir).definition.id).toBe('welcome-series');
  });

  it('gives the same definition the same version in JSON and YAML, whatever the key order', () => {
    const asJson = JSON.stringify(reversedKeys(YAML.parse(welcomeYaml())), null, 2);
    expect(asJson.indexOf('"steps"')).toBeLessThan(asJson.indexOf('"id"')); // the keys really are in another order

    const fromYaml = loadOne(dirWith({ 'welcome-series.yaml': welcomeYaml() }));
    const fromJson = loadOne(dirWith({ 'welcome-series.json': asJson }));
    expect(fromJson.version).toMatch(VERSION);
    expect(fromJson.version).toBe(fromYaml.version);
    expect(fromJson.definition).toEqual(fromYaml.definition);
  });

  it('hashes the definition with defaults applied: leaving out a default or writing it gives one version', () => {
    const yaml = [
      'id: tiny',
      'name: Tiny',
      'entry: { event: signed_up }',
      'start: hello',
      'steps:',
      '  hello: { kind: send, channel: email, template: hello, next: done }',
      '  done: { kind: exit }',
    ].join('\n');
    const json = JSON.stringify({
      steps: { done: { kind: 'exit' }, hello: { next: 'done', template: 'hello', channel: 'email', kind: 'send' } },
      start: 'hello',
      exits: [],
      goals: [],
      reentry: { policy: 'never' },
      entry: { event: 'signed_up' },
      name: 'Tiny',
      id: 'tiny',
    });
    const fromYaml = loadOne(dirWith({ 'tiny.yaml': yaml }));
    const fromJson = loadOne(dirWith({ 'tiny.json': json }));
    expect(fromJson.version).toBe(fromYaml.version);
  });

  it('changes the version when one field changes, and only then', () => {
    const base = JSON.parse(winbackJson()) as Obj;
    const changed = (edit: (j: Obj & { steps: Record<string, Obj> }) => void) => {
      const copy = structuredClone(base) as Obj & { steps: Record<string, Obj> };
      edit(copy);
      return loadOne(dirWith({ 'winback.json': JSON.stringify(copy) })).version;
    };
    const original = loadOne(dirWith({ 'winback.json': winbackJson() })).version;

    expect(changed(() => {})).toBe(original);
    const versions = [
      changed((j) => (j.steps.last_call!.template = 'winback-last-call-v2')),
      changed((j) => (j.steps.cool_off!.duration = '4d')),
      changed((j) => (j.name = 'Win-back')),
      changed((j) => (j.steps.mark_lost!.value = 'churned')),
    ];
    for (const v of versions) {
      expect(v).toMatch(VERSION);
      expect(v).not.toBe(original);
    }
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('freezes published definitions: changing one throws', () => {
    'use strict';
    const published = loadOne(dirWith({ 'winback.json': winbackJson() }));
    const definition = published.definition as unknown as Obj & { steps: Record<string, Obj>; exits: unknown[] };

    expect(Object.isFrozen(published)).toBe(true);
    expect(() => (definition.name = 'changed')).toThrow(TypeError);
    expect(() => (definition.steps.last_call!.template = 'other')).toThrow(TypeError);
    expect(() => (definition.steps.sneaky = { kind: 'exit' })).toThrow(TypeError);
    expect(() => delete definition.steps.done).toThrow(TypeError);
    expect(() => definition.exits.push({ event: 'x' })).toThrow(TypeError);
    expect(() => ((published as unknown as Obj).version = '000000000000')).toThrow(TypeError);
    expect(definition.name).toBe('Win-back after cancellation');
    expect(definition.steps.last_call!.template).toBe('winback-last-call');
  });

  it('leaves out YAML with a syntax error, naming the file and line, and loads the rest', () => {
    const dir = dirWith({ 'a-fine.json': winbackJson(), 'bad-syntax.yaml': fixture('bad-syntax.yaml') });
    const file = path.join(dir, 'bad-syntax.yaml');
    const { ids, problems } = loadDir(dir);
    expect(ids).toEqual(['winback']);
    expect(problems).toEqual([
      { source: file, severity: 'error', issues: [{ path: '', line: 5, message: expect.stringMatching(/^is not valid YAML: .*line 5, column 1/) }] },
    ]);
    expect(formatProblem(problems[0]!)).toMatch(`${file} was not loaded:\n  - (line 5): is not valid YAML: `);
  });

  it('leaves out JSON with a syntax error, naming the file and line', () => {
    const dir = dirWith({ 'bad-syntax.json': fixture('bad-syntax.json'), 'welcome-series.yaml': welcomeYaml() });
    const { ids, problems } = loadDir(dir);
    expect(ids).toEqual(['welcome-series']);
    expect(problems).toEqual([
      { source: path.join(dir, 'bad-syntax.json'), severity: 'error', issues: [{ path: '', line: 5, message: expect.stringMatching(/^is not valid JSON: .*line 5 column 1/) }] },
    ]);
  });

  it('checks a single file with checkJourneyFile, without throwing for a bad or missing one', () => {
    expect(checkJourneyFile(path.join(EXAMPLES, 'welcome-series.yaml'), LIMITS)).toMatchObject({
      published: { definition: { id: 'welcome-series', start: 'welcome' } },
      issues: [],
      warnings: [],
    });
    const bad = checkJourneyFile(path.join(FIXTURES, 'bad-syntax.yaml'), LIMITS);
    expect(bad.published).toBeUndefined();
    expect(bad.issues).toEqual([{ path: '', line: 5, message: expect.stringContaining('is not valid YAML') }]);
    expect(checkJourneyFile(path.join(dirWith({}), 'missing.yaml'), LIMITS).issues).toEqual([
      { path: '', message: 'does not exist; name a .json, .yaml or .yml journey file' },
    ]);
  });

  it('leaves out both files that define one journey id, naming each in the other, and loads the rest', () => {
    const dir = dirWith({
      'welcome-series.yaml': welcomeYaml(),
      'welcome-copy.json': JSON.stringify(YAML.parse(welcomeYaml()), null, 2),
      'winback.json': winbackJson(),
    });
    const [yaml, json] = [path.join(dir, 'welcome-series.yaml'), path.join(dir, 'welcome-copy.json')];
    const { ids, problems } = loadDir(dir);
    expect(ids).toEqual(['winback']);
    expect(problems).toEqual([
      { source: json, severity: 'error', issues: [{ path: 'id', line: 2, message: expect.stringContaining(`journey id "welcome-series" is also defined in ${yaml}; none of them is loaded`) }] },
      { source: yaml, severity: 'error', issues: [{ path: 'id', line: 14, message: expect.stringContaining(`journey id "welcome-series" is also defined in ${json}`) }] },
    ]);
  });

  it('leaves out a file whose id is a shipped journey id, and that shipped journey, and says so', () => {
    const onboarding = { ...(SHIPPED_JOURNEYS['journeys/onboarding.ts'] as Obj), name: 'Onboarding, my way' };
    const dir = dirWith({ 'onboarding.json': JSON.stringify(onboarding) });
    const catalog = JourneyCatalog.load(SHIPPED_JOURNEYS, dir, LIMITS);
    expect(catalog.all().map((j) => j.definition.id).sort()).toEqual(['churn-prevention', 'trial-conversion']);
    expect(catalog.problems.map((p) => [p.source, p.issues[0]!.message])).toEqual([
      ['journeys/onboarding.ts', expect.stringContaining(`is also defined in ${path.join(dir, 'onboarding.json')}`)],
      [path.join(dir, 'onboarding.json'), expect.stringContaining('is also defined in journeys/onboarding.ts')],
    ]);
  });

  it('leaves out an invalid file, naming it with the path and line of the problem, and loads the valid ones', () => {
    const dir = dirWith({
      'welcome-series.yaml': welcomeYaml(),
      'unknown-next.yaml': fixture('unknown-next.yaml'),
      'winback.json': winbackJson(),
    });
    const file = path.join(dir, 'unknown-next.yaml');
    const { ids, problems } = loadDir(dir);
    expect(ids).toEqual(['welcome-series', 'winback']);
    expect(problems).toEqual([
      { source: file, severity: 'error', issues: [{ path: 'steps.nudge.next', line: 8, message: 'refers to unknown step "dnoe" (known steps: welcome, nudge, done)' }] },
    ]);
    expect(formatProblem(problems[0]!)).toBe(
      `${file} was not loaded:\n  - steps.nudge.next (line 8): refers to unknown step "dnoe" (known steps: welcome, nudge, done)`,
    );
  });

  it('names the line of a graph problem in a JSON file', () => {
    const dir = dirWith({ 'loop-without-wait.json': fixture('loop-without-wait.json') });
    const { ids, problems } = loadDir(dir);
    expect(ids).toEqual([]);
    expect(problems[0]!.issues).toEqual([{ path: 'steps.remind.next', line: 8, message: expect.stringMatching(/^closes a loop with no wait \(check -> remind -> check\)/) }]);
  });

  it('applies the maximum wait to files', () => {
    const dir = dirWith({ 'winback.json': winbackJson() });
    const { ids, problems } = loadDir(dir, { maxWaitMs: 7 * 86_400_000 });
    expect(ids).toEqual([]);
    expect(problems[0]!.issues).toEqual([
      { path: 'steps.await_return.duration', line: expect.any(Number), message: '"14d" is longer than the longest wait allowed (7d, WAYMARK_JOURNEY_MAX_WAIT)' },
    ]);
  });

  it('loads a journey with warnings, and reports them with their lines', () => {
    const dead = YAML.parse(welcomeYaml()) as Obj & { goals: unknown[] };
    dead.goals = [{ name: 'invited', event: 'teammate_invited' }];
    const dir = dirWith({ 'dead.json': JSON.stringify(dead, null, 2) });
    const { ids, problems } = loadDir(dir);
    expect(ids).toEqual(['welcome-series']);
    expect(problems).toEqual([
      {
        source: path.join(dir, 'dead.json'),
        severity: 'warning',
        issues: [
          { path: 'steps.invite_prompt.event', line: expect.any(Number), message: expect.stringContaining('onEvent ("mark_team") is never taken') },
          { path: 'steps.mark_team', line: expect.any(Number), message: expect.stringContaining('never runs') },
        ],
      },
    ]);
    expect(formatProblem(problems[0]!)).toContain('loaded, with warnings');
  });

  it('refuses a journeys folder that does not exist, naming the variable', () => {
    const missing = path.join(dirWith({}), 'no-such-folder');
    expect(() => JourneyCatalog.load({}, missing, LIMITS)).toThrow(ConfigError);
    expect(() => JourneyCatalog.load({}, missing, LIMITS)).toThrow(/WAYMARK_JOURNEYS_DIR: ".*no-such-folder" is not a folder that can be read \(ENOENT\)/);
  });

  it('still refuses two journeys with one id given in code', () => {
    const tiny = publishJourney(YAML.parse(welcomeYaml()), 'test', LIMITS);
    expect(() => new JourneyCatalog([tiny, tiny])).toThrow('journey id "welcome-series" is given twice');
  });

  it('loads nothing from files when no directory is set', () => {
    expect(JourneyCatalog.load({}, '', LIMITS).all()).toEqual([]);
  });
});
