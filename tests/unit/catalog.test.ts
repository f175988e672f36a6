import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { JourneyCatalog, readJourneyFile } from '../../src/journey/catalog';
import { JourneyValidationError, type ValidationLimits } from '../../src/journey/validate';
import { SHIPPED_JOURNEYS } from '../../journeys';

/** Loading JSON and YAML journeys from a directory: versions, freezing, and errors that name the file. */

const LIMITS: ValidationLimits = { maxWaitMs: 365 * 86_400_000 };
const EXAMPLES = path.join(__dirname, '../../docs/examples');
const FIXTURES = path.join(__dirname, '../fixtures/journeys');
const VERSION = /^[0-9a-f]{12}$/;

type Obj = { [key: string]: unknown };

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-catalog-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

let dirs = 0;
/** A fresh directory holding `files` (name -> text). */
function dirWith(files: Record<string, string>): string {
  const dir = path.join(root, `dir-${++dirs}`);
  fs.mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

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

/** The error `fn` throws, which must be a JourneyValidationError. */
function validationError(fn: () => unknown): JourneyValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(JourneyValidationError);
    return err as JourneyValidationError;
  }
  throw new Error('expected a JourneyValidationError, but nothing was thrown');
}

function loadOne(dir: string) {
  const all = JourneyCatalog.load({}, dir, LIMITS).all();
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

  it('rejects YAML with a syntax error, naming the file', () => {
    const dir = dirWith({ 'a-fine.json': winbackJson(), 'bad-syntax.yaml': fixture('bad-syntax.yaml') });
    const file = path.join(dir, 'bad-syntax.yaml');
    const err = validationError(() => JourneyCatalog.load({}, dir, LIMITS));
    expect(err.source).toBe(file);
    expect(err.issues[0]).toEqual({ path: '', message: expect.stringMatching(/^is not valid YAML: .*line 5, column 1/) });
    expect(err.message).toContain(`${file} is not a valid journey:`);
  });

  it('rejects JSON with a syntax error, naming the file', () => {
    const dir = dirWith({ 'bad-syntax.json': fixture('bad-syntax.json') });
    const file = path.join(dir, 'bad-syntax.json');
    const err = validationError(() => JourneyCatalog.load({}, dir, LIMITS));
    expect(err.source).toBe(file);
    expect(err.issues).toEqual([{ path: '', message: expect.stringMatching(/^is not valid JSON: .*line 5 column 1/) }]);
    expect(err.message).toContain(file);
  });

  it('reads a file with readJourneyFile, and names the file when its syntax is wrong', () => {
    expect(readJourneyFile(path.join(EXAMPLES, 'welcome-series.yaml'))).toMatchObject({ id: 'welcome-series', start: 'welcome' });
    const err = validationError(() => readJourneyFile(path.join(FIXTURES, 'bad-syntax.yaml')));
    expect(err.source).toBe(path.join(FIXTURES, 'bad-syntax.yaml'));
  });

  it('rejects two files with the same journey id', () => {
    const dir = dirWith({ 'welcome-series.yaml': welcomeYaml(), 'welcome-copy.json': JSON.stringify(YAML.parse(welcomeYaml())) });
    expect(() => JourneyCatalog.load({}, dir, LIMITS)).toThrow('journey id "welcome-series" is defined twice; journey ids must be unique');
  });

  it('rejects a file whose id is a shipped journey id', () => {
    const onboarding = { ...(SHIPPED_JOURNEYS['journeys/onboarding.ts'] as Obj), name: 'Onboarding, my way' };
    const dir = dirWith({ 'onboarding.json': JSON.stringify(onboarding) });
    expect(() => JourneyCatalog.load(SHIPPED_JOURNEYS, dir, LIMITS)).toThrow('journey id "onboarding" is defined twice');
  });

  it('stops at an invalid file, naming it and the path of the problem', () => {
    const dir = dirWith({
      'welcome-series.yaml': welcomeYaml(),
      'unknown-next.yaml': fixture('unknown-next.yaml'),
      'winback.json': winbackJson(),
    });
    const file = path.join(dir, 'unknown-next.yaml');
    const err = validationError(() => JourneyCatalog.load({}, dir, LIMITS));
    expect(err.source).toBe(file);
    expect(err.issues).toEqual([{ path: 'steps.nudge.next', message: 'refers to unknown step "dnoe" (known steps: welcome, nudge, done)' }]);
    expect(err.message).toBe(
      `${file} is not a valid journey:\n  - steps.nudge.next: refers to unknown step "dnoe" (known steps: welcome, nudge, done)`,
    );
  });

  it('stops at a JSON file with a graph problem, naming it and the path', () => {
    const dir = dirWith({ 'loop-without-wait.json': fixture('loop-without-wait.json') });
    const err = validationError(() => JourneyCatalog.load({}, dir, LIMITS));
    expect(err.source).toBe(path.join(dir, 'loop-without-wait.json'));
    expect(err.issues).toEqual([{ path: 'steps.remind.next', message: expect.stringMatching(/^closes a loop with no wait \(check -> remind -> check\)/) }]);
  });

  it('applies the maximum wait to files', () => {
    const dir = dirWith({ 'winback.json': winbackJson() });
    const err = validationError(() => JourneyCatalog.load({}, dir, { maxWaitMs: 7 * 86_400_000 }));
    expect(err.issues).toEqual([
      { path: 'steps.await_return.timeout', message: '"14d" is longer than the longest wait allowed (7d, WAYMARK_JOURNEY_MAX_WAIT)' },
    ]);
  });

  it('loads nothing from files when no directory is set', () => {
    expect(JourneyCatalog.load({}, '', LIMITS).all()).toEqual([]);
  });
});
