import { PgProfileStore } from '../../src/profiles/pg-store';
import { StoreDataError } from '../../src/store/data-error';
import { Store } from '../../src/store/store';
import { testConfig } from '../support/harness';

const EMAIL = 'ana.private@example.com';
const LIMITS = { maxTraits: 20, maxTraitKeyChars: 40, maxTraitValueBytes: 1_000, maxProfileBytes: 10_000 };

/** Everything the error carries that could reach a log or a run's history. */
const printed = (err: unknown) => `${(err as Error).message}\n${(err as Error).stack}\n${JSON.stringify(err)}`;

/**
 * Values PostgreSQL refuses as data, on the test run's real PostgreSQL: they fail at once, as a
 * non-retryable failure whose text quotes no data, never as an error a retry would meet again.
 */
describe('values PostgreSQL refuses as data', () => {
  const config = testConfig();
  const store = new Store(config);
  afterAll(() => store.close());

  it.each([
    ['a NUL escape in jsonb', '22P05', 'SELECT $1::jsonb', [JSON.stringify({ email: EMAIL, note: 'a\u0000b' })]],
    ['a lone surrogate escape in jsonb', '22P02', 'SELECT $1::jsonb', [JSON.stringify({ email: EMAIL, note: 'a\ud800b' })]],
    ['a number beyond numeric in jsonb', '22003', 'SELECT $1::jsonb', [`{"email":"${EMAIL}","n":1e131072}`]],
    ['a NUL in text', '22021', 'SELECT $1::text', [`${EMAIL}\u0000`]],
  ])('%s fails as StoreDataError (%s), not retryable, quoting nothing', async (_name, sqlState, sql, values) => {
    const err = await store.query(sql, values).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreDataError);
    expect(err).toMatchObject({ type: 'STORE_DATA_REFUSED', nonRetryable: true, message: expect.stringContaining(`SQLSTATE ${sqlState}`) });
    expect(printed(err)).not.toContain(EMAIL);
    // The same inside a transaction, which is rolled back.
    const inTransaction = await store.transaction((client) => client.query(sql, values)).catch((e: unknown) => e);
    expect(inTransaction).toBeInstanceOf(StoreDataError);
  });

  it('passes any other database error on with its code, without the row it quotes', async () => {
    const err = await store
      .transaction(async (client) => {
        await client.query('CREATE TEMP TABLE people (email text PRIMARY KEY)');
        await client.query('INSERT INTO people VALUES ($1), ($1)', [EMAIL]);
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505' });
    expect(err).not.toBeInstanceOf(StoreDataError);
    expect(printed(err)).not.toContain(EMAIL);
  });
});

describe('a profile update PostgreSQL would refuse', () => {
  const config = testConfig();
  const store = new Store(config);
  const profiles = new PgProfileStore(store, 10, LIMITS);
  afterAll(() => store.close());

  it('fails at once, naming the trait and the problem, and leaves the profile as it was', async () => {
    await profiles.apply('c1', { traits: { plan: 'pro' }, contact: { email: EMAIL } }, 'k1');
    const nul = await profiles.apply('c1', { traits: { note: `${EMAIL}\u0000`, plan: 'team' } }, 'k2').catch((e: unknown) => e);
    expect(nul).toBeInstanceOf(StoreDataError);
    expect(nul).toMatchObject({ nonRetryable: true, message: 'trait "note" holds a NUL character (U+0000), which PostgreSQL cannot store; the update is refused (a retry would fail the same way)' });
    const key = await profiles.apply('c1', { traits: { 'na\ud800me': 1 } }, 'k3').catch((e: unknown) => e);
    expect((key as Error).message).toMatch(/^the name of trait "na\\ud800me" holds a lone surrogate/);
    const nested = await profiles.apply('c1', { traits: { prefs: { [EMAIL]: 'x\u0000' } } }, 'k4').catch((e: unknown) => e);
    expect((nested as Error).message).toMatch(/^trait "prefs", inside its value, holds a NUL character/);
    for (const err of [nul, key, nested]) expect(printed(err)).not.toContain(EMAIL);
    expect(await profiles.get('c1')).toEqual({ plan: 'pro', contact: { email: EMAIL } });
  });

  it('in a bulk merge, refuses just that customer and updates the others', async () => {
    const outcome = await profiles.mergeTraits([
      { customerId: 'm1', traits: { plan: 'pro' } },
      { customerId: 'm2', traits: { plan: 'pro\u0000' } },
      { customerId: 'm3', traits: { plan: 'team' }, email: `${EMAIL}\ud800` },
      { customerId: 'm4', traits: { plan: 'free' } },
    ]);
    expect(outcome).toEqual({
      updated: 2,
      refused: [
        { customerId: 'm2', reason: 'trait "plan" holds a NUL character (U+0000), which PostgreSQL cannot store' },
        { customerId: 'm3', reason: expect.stringMatching(/^contact field "email" holds a lone surrogate/) },
      ],
    });
    expect([await profiles.get('m1'), await profiles.get('m2'), await profiles.get('m4')]).toEqual([{ plan: 'pro' }, {}, { plan: 'free' }]);
  });
});
