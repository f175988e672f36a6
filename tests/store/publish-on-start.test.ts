import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { JourneyCatalog } from '../../src/journey/catalog';
import { createDeps, prepareStore, type Deps } from '../../src/runtime';
import { validationLimits } from '../../src/journey/validate';
import { journeysDir } from '../support/api';
import { testConfig } from '../support/harness';

/**
 * A process that publishes its journey files as it starts (WAYMARK_PUBLISH_ON_START, `npm run
 * dev`) never undoes what an operator chose in the store: a rollback, or a version published from
 * another file, outranks the file on disk, and the start says which file it left and why. A file
 * edited since its own last publish is published (real PostgreSQL).
 */
const ID = 'restart-test';
const journey = (template: string) => ({
  id: ID,
  name: 'Restart test',
  entry: { event: 'restart_entered' },
  start: 'hello',
  steps: { hello: { kind: 'send', channel: 'email', template, next: 'done' }, done: { kind: 'exit' } },
});

describe('publishing journey files at start-up (real PostgreSQL)', () => {
  const dir = journeysDir([journey('hello-v1')]);
  const file = path.join(dir, `${ID}.json`);
  const config = testConfig({ WAYMARK_JOURNEYS_DIR: dir, WAYMARK_ACTOR: 'start-up' });
  const deps: Deps = createDeps(config);
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, done) { warnings.push(JSON.parse(String(chunk)).msg); done(); } }));

  /** Writes the file, starts as a worker would, and returns the journey's current version. */
  const start = async (template: string) => {
    fs.writeFileSync(file, JSON.stringify(journey(template)));
    await prepareStore(deps, logger);
    const state = (await deps.journeys.states()).find((s) => s.journeyId === ID);
    return state!.currentVersion;
  };

  afterAll(() => deps.store.close());

  it('publishes a new file, then the same file edited; a restart with an unchanged file changes nothing', async () => {
    const v1 = await start('hello-v1');
    const v2 = await start('hello-v2');
    expect(v2).not.toBe(v1);
    expect(await start('hello-v2')).toBe(v2);
    expect(warnings).toEqual([]);
  });

  it('a rollback survives a restart, and the start says it left the file', async () => {
    const { from, to } = await deps.journeys.rollback(ID, undefined, 'operator-ann');
    expect(await start('hello-v2')).toBe(to);
    expect(warnings.at(-1)).toContain(`${ID}: ${file} (${from}) differs from the current version ${to}, left as it is: rolled back to ${to} by operator-ann`);
    // Edited again after the rollback: still the operator's choice until someone publishes the file.
    expect(await start('hello-v3')).toBe(to);
    expect(warnings.at(-1)).toContain('rolled back');
    expect((await deps.journeys.versions(ID)).length).toBe(2);
  });

  it('a version published from another file survives a restart; publishing the file itself makes it current again', async () => {
    const other = journeysDir([journey('hello-from-elsewhere')]);
    const elsewhere = JourneyCatalog.load({}, other, validationLimits(config)).sourced()[0]!;
    const published = await deps.journeys.publish(elsewhere.published, elsewhere.source, 'operator-bob');
    expect(published.outcome).toBe('new-version');
    expect(await start('hello-v3')).toBe(published.version);
    expect(warnings.at(-1)).toContain(`was published from ${elsewhere.source} by operator-bob`);

    const mine = JourneyCatalog.load({}, dir, validationLimits(config)).sourced()[0]!;
    const back = await deps.journeys.publish(mine.published, mine.source, 'operator-bob');
    expect(back.outcome).toBe('new-version');
    expect(await start('hello-v3')).toBe(back.version);
  });
});
