import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../../src/config';
import { SendLedger } from '../../src/channels/ledger';
import { LocalChannel } from '../../src/channels/local';
import { LiveCatalog } from '../../src/journey/live-catalog';
import { publishJourney } from '../../src/journey/publish';
import type { PublishedJourney } from '../../src/journey/schema';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { ProfileLimitError } from '../../src/profiles/port';
import { JourneyChangeError, JourneyStore } from '../../src/store/journeys';
import { knownMigrations, migrate, schemaState } from '../../src/store/migrate';
import { Store, StoreSchemaError } from '../../src/store/store';
import { testConfig } from '../support/harness';
import { testMessage } from '../support/messages';

/** A new empty database on the server at `url` (its role must be allowed to create databases). */
async function freshDatabase(url: string): Promise<string> {
  const name = `waymark_contract_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`).finally(() => client.end());
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return fresh.toString();
}

/**
 * The store's contract, on the test run's embedded PostgreSQL and, when WAYMARK_TEST_DATABASE_URL
 * names a server (a production-like one), there too: each test in a database of its own.
 */
const targets: Array<[string, () => Promise<Config>]> = [['embedded PostgreSQL', async () => testConfig()]];
const productionUrl = process.env.WAYMARK_TEST_DATABASE_URL;
if (productionUrl) targets.push(['WAYMARK_TEST_DATABASE_URL', async () => testConfig({ WAYMARK_DATABASE_URL: await freshDatabase(productionUrl), WAYMARK_DB_MIGRATE_ON_START: 'always' })]);

const LIMITS = { maxWaitMs: 365 * 86_400_000 };
const journey = (id: string, template = 'hello'): PublishedJourney =>
  publishJourney({ id, name: id, entry: { event: `${id}_go` }, start: 's', steps: { s: { kind: 'send', channel: 'email', template, next: 'e' }, e: { kind: 'exit' } } }, id, LIMITS);

const message = (key: string, customerId = 'c-1') => testMessage(key, { customerId });

describe.each(targets)('the store contract (%s)', (_name, makeConfig) => {
  const opened: Store[] = [];
  /** A store connection of its own: two of them stand for two machines. */
  const open = (config: Config) => {
    const store = new Store(config);
    opened.push(store);
    return store;
  };
  let config: Config;
  beforeEach(async () => (config = await makeConfig()));
  afterAll(() => Promise.all(opened.map((s) => s.close())));

  describe('schema', () => {
    it('migrates once; a second run applies nothing', async () => {
      const pool = await open({ ...config, store: { ...config.store, migrateOnStart: 'never' as const } }).pool().catch(() => undefined);
      expect(pool).toBeUndefined(); // a fresh database without migrations is refused when they must not run by themselves
      const store = open(config);
      const state = await schemaState(await store.pool());
      expect(state.pending).toEqual([]);
      expect(state.applied).toEqual(knownMigrations().map((m) => m.version));
      expect(await migrate(await store.pool())).toEqual([]);
    });

    it('refuses to start on a database that lacks migrations, naming the command that fixes it', async () => {
      const never = open({ ...config, store: { ...config.store, migrateOnStart: 'never' as const } });
      const err = await never.pool().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreSchemaError);
      expect((err as Error).message).toMatch(/lacks migrations 0001_store.*waymark db migrate/);
    });
  });

  describe('journeys', () => {
    it('publishes content-addressed versions: the same content twice is a no-op', async () => {
      const journeys = new JourneyStore(open(config));
      const v1 = journey('welcome');
      expect(await journeys.publish(v1, 'welcome.json', 'ana')).toEqual({ outcome: 'new-journey', version: v1.version });
      expect(await journeys.publish(v1, 'welcome.json', 'ben')).toEqual({ outcome: 'unchanged', version: v1.version });
      const v2 = journey('welcome', 'hello-again');
      expect(await journeys.publish(v2, 'welcome.json', 'ben')).toEqual({ outcome: 'new-version', version: v2.version, previous: v1.version });
      expect((await journeys.versions('welcome')).map((v) => [v.version, v.publishedBy])).toEqual([
        [v1.version, 'ana'],
        [v2.version, 'ben'],
      ]);
      expect(await journeys.definition('welcome', v1.version)).toEqual(v1.definition);
      expect(await journeys.findVersions(v2.version.slice(0, 6))).toEqual([{ journeyId: 'welcome', version: v2.version }]);
    });

    it('two machines publishing the same new journey at once make one version, recorded once', async () => {
      const [x, y] = [new JourneyStore(open(config)), new JourneyStore(open(config))];
      const outcomes = await Promise.all([x.publish(journey('race'), 'a', 'x'), y.publish(journey('race'), 'a', 'y')]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['new-journey', 'unchanged']);
      expect(await x.history('race')).toHaveLength(1);
    });

    it('pauses, resumes, archives and rolls back, recording each change with its actor', async () => {
      const journeys = new JourneyStore(open(config));
      const [v1, v2] = [journey('life'), journey('life', 'other')];
      await journeys.publish(v1, 'f', 'ana');
      await journeys.publish(v2, 'f', 'ana');
      expect((await journeys.setStatus('life', 'pause', 'ben')).after.status).toBe('paused');
      expect((await journeys.setStatus('life', 'pause', 'ben')).after.status).toBe('paused'); // again: nothing recorded
      await journeys.setStatus('life', 'resume', 'cy');
      expect(await journeys.rollback('life', undefined, 'dee')).toEqual({ from: v2.version, to: v1.version });
      await journeys.setStatus('life', 'archive', 'eve');
      expect((await journeys.history('life')).map((c) => [c.action, c.version, c.actor])).toEqual([
        ['publish', v1.version, 'ana'],
        ['publish', v2.version, 'ana'],
        ['pause', v2.version, 'ben'],
        ['resume', v2.version, 'cy'],
        ['rollback', v1.version, 'dee'],
        ['archive', v1.version, 'eve'],
      ]);
      expect((await journeys.states()).find((s) => s.journeyId === 'life')).toMatchObject({ currentVersion: v1.version, status: 'archived' });
      await expect(journeys.rollback('life', 'ffffffffffff', 'x')).rejects.toThrow(/has no version ffffffffffff/);
      await expect(journeys.setStatus('nope', 'pause', 'x')).rejects.toBeInstanceOf(JourneyChangeError);
    });

    it("reaches another machine's catalog within its refresh interval, with pauses as refusals that say why", async () => {
      const REFRESH_MS = 200;
      /** The promise under test, not a settling time: a read once the refresh interval has passed since a change sees it (a loaded machine only reads later). */
      const pastRefreshSince = async (changedAt: number) => {
        while (Date.now() - changedAt <= REFRESH_MS) await new Promise((r) => setTimeout(r, REFRESH_MS + changedAt - Date.now() + 1));
      };
      const publisher = new JourneyStore(open(config));
      const catalog = new LiveCatalog(new JourneyStore(open(config)), REFRESH_MS);
      expect((await catalog.current()).all()).toEqual([]);
      const j = journey('live');
      await publisher.publish(j, 'f', 'ana');
      await pastRefreshSince(Date.now());
      const event = { messageId: 'm', type: 'live_go', customerId: 'c', timestamp: new Date().toISOString(), properties: {} };
      expect((await catalog.current()).entriesFor(event).entered.map((e) => e.journeyId)).toEqual(['live']);
      await publisher.setStatus('live', 'pause', 'ana');
      await pastRefreshSince(Date.now());
      const paused = (await catalog.current()).entriesFor(event);
      expect(paused.entered).toEqual([]);
      expect(paused.refused).toEqual([{ journeyId: 'live', why: expect.stringContaining('the journey is paused') }]);
    });
  });

  describe('profiles', () => {
    const limits = { maxTraits: 50, maxTraitKeyChars: 20, maxTraitValueBytes: 100, maxProfileBytes: 2_000 };

    it('merges traits, replaces contact fields, and applies a key once', async () => {
      const profiles = new PgProfileStore(open(config), 10, limits);
      await profiles.apply('c', { traits: { plan: 'pro', seats: 3 }, contact: { email: 'ana@example.com' } }, 'k1');
      await profiles.apply('c', { traits: { seats: null, tz: 'x' }, contact: { timezone: 'Europe/Paris' } }, 'k2');
      await profiles.apply('c', { traits: { plan: 'free' } }, 'k2'); // a retry of k2 with other content: already applied
      expect(await profiles.get('c')).toEqual({ plan: 'pro', tz: 'x', contact: { email: 'ana@example.com', timezone: 'Europe/Paris' } });
      expect(await profiles.get('nobody')).toEqual({});
    });

    it('refuses an update beyond the limits and keeps the profile as it was', async () => {
      const profiles = new PgProfileStore(open(config), 10, limits);
      await profiles.apply('c', { traits: { a: 1 } }, 'k1');
      await expect(profiles.apply('c', { traits: { blob: 'x'.repeat(200) } }, 'k2')).rejects.toBeInstanceOf(ProfileLimitError);
      expect(await profiles.get('c')).toEqual({ a: 1 });
    });

    it('loses no update when two machines update one customer at once', async () => {
      const [x, y] = [new PgProfileStore(open(config), 100, limits), new PgProfileStore(open(config), 100, limits)];
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? x : y).apply('busy', { traits: { [`t${i}`]: i } }, `k${i}`)));
      expect(Object.keys(await x.get('busy')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
    });

    it('merges traits into many profiles at once: new and existing customers, an email only where none is known, the same values twice change nothing, one over its limit is refused alone', async () => {
      const profiles = new PgProfileStore(open(config), 10, limits);
      await profiles.apply('known', { traits: { plan: 'free', seats: 2 }, contact: { email: 'k@example.com' } }, 'k1');
      await profiles.apply('full', { traits: { notes: 'y'.repeat(90) } }, 'k1');
      const updates = [
        { customerId: 'known', traits: { plan: 'pro', health_score: 30 }, email: 'other@example.com' },
        { customerId: 'new', traits: { plan: 'team', seats: null }, email: 'new@example.com' },
        { customerId: 'full', traits: { more: 'z'.repeat(90), blob: 'x'.repeat(200) } },
      ];
      const first = await profiles.mergeTraits(updates);
      expect(first.updated).toBe(2);
      expect(first.refused).toEqual([{ customerId: 'full', reason: expect.stringContaining('WAYMARK_MAX_TRAIT_VALUE_BYTES') }]);
      expect(await profiles.get('known')).toEqual({ plan: 'pro', seats: 2, health_score: 30, contact: { email: 'k@example.com' } });
      // An address only where none was known: the one the customer's events gave stays.
      expect(await profiles.get('new')).toEqual({ plan: 'team', contact: { email: 'new@example.com' } });
      expect(await profiles.get('full')).toEqual({ notes: 'y'.repeat(90) });

      expect((await profiles.mergeTraits(updates)).updated).toBe(2);
      expect(await profiles.get('known')).toEqual({ plan: 'pro', seats: 2, health_score: 30, contact: { email: 'k@example.com' } });
      // A later event's key still applies once, after the bulk merge.
      await profiles.apply('known', { traits: { plan: 'enterprise' } }, 'k2');
      expect((await profiles.get('known')).plan).toBe('enterprise');
    });

    it('merges in bulk while single updates of the same customers run, losing neither', async () => {
      const [x, y] = [new PgProfileStore(open(config), 100, limits), new PgProfileStore(open(config), 100, limits)];
      const ids = Array.from({ length: 30 }, (_, i) => `bulk-${i}`);
      await Promise.all([
        x.mergeTraits(ids.map((customerId) => ({ customerId, traits: { health: 'ok' } }))),
        ...ids.map((id, i) => y.apply(id, { traits: { [`t${i}`]: i } }, `k${i}`)),
        x.mergeTraits([...ids].reverse().map((customerId) => ({ customerId, traits: { plan: 'pro' } }))),
      ]);
      for (const [i, id] of ids.entries()) expect(await x.get(id)).toEqual({ health: 'ok', plan: 'pro', [`t${i}`]: i });
    });
  });

  describe('the send ledger and the local channel', () => {
    it('records the intent before the outcome, and counts attempts', async () => {
      const ledger = new SendLedger(open(config));
      expect(await ledger.begin(message('k1'), 'local', undefined, Date.now())).toBeUndefined();
      expect(await ledger.begin(message('k1'), 'local', undefined, Date.now())).toEqual({ state: 'intent', attempts: 1 });
      await ledger.sent('k1', '2026-01-01T00:00:00.000Z');
      expect(await ledger.begin(message('k1'), 'local', undefined, Date.now())).toEqual({ state: 'sent', attempts: 2, outcomeAt: '2026-01-01T00:00:00.000Z' });
      expect((await ledger.forCustomer('c-1')).map((e) => [e.key, e.state, e.attempts])).toEqual([['k1', 'sent', 3]]);
    });

    it('keeps one message per send key, whichever machine delivers it', async () => {
      const [x, y] = [new LocalChannel(open(config)), new LocalChannel(open(config))];
      const receipts = await Promise.all([x.deliver(message('m1')), y.deliver(message('m1')), y.deliver(message('m2', 'c-2'))]);
      expect(receipts.map((r) => r.firstDelivery).sort()).toEqual([false, true, true]);
      expect((await x.list()).map((m) => m.key).sort()).toEqual(['m1', 'm2']);
      expect((await y.list('c-2')).map((m) => m.key)).toEqual(['m2']);
    });
  });
});
