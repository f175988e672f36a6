import { randomUUID } from 'node:crypto';
import { Store } from '../../src/store/store';
import { IdentityLinks } from '../../src/api/segment/identity-links';
import { testConfig } from '../support/harness';

/** Two API processes' links on one real store (the test run's embedded PostgreSQL), with a clock the test moves. */
describe('identity links', () => {
  const store = new Store(testConfig());
  afterAll(() => store.close());
  let now = 1_000_000;
  const clock = () => now;
  const TTL = 60_000;

  it('keeps the first link of an anonymous id; a later one to another user returns the first', async () => {
    const links = new IdentityLinks(store, 100, TTL, clock);
    const visitor = `v-${randomUUID()}`;
    expect(await links.userOf(visitor)).toBeUndefined();
    expect(await links.link(visitor, 'u-first')).toBe('u-first');
    expect(await links.link(visitor, 'u-second')).toBe('u-first');
    // Another process, with nothing cached, reads the same from the store.
    expect(await new IdentityLinks(store, 100, TTL, clock).link(visitor, 'u-third')).toBe('u-first');
  });

  it('another process sees a new link once its cached absence is older than the TTL', async () => {
    const here = new IdentityLinks(store, 100, TTL, clock);
    const there = new IdentityLinks(store, 100, TTL, clock);
    const visitor = `v-${randomUUID()}`;
    expect(await here.userOf(visitor)).toBeUndefined();
    await there.link(visitor, 'u-1');
    now += TTL; // still within the TTL: the cached absence holds
    expect(await here.userOf(visitor)).toBeUndefined();
    now += 1;
    expect(await here.userOf(visitor)).toBe('u-1');
  });

  it('forgets the oldest ids beyond its size', async () => {
    const links = new IdentityLinks(store, 2, TTL, clock);
    const [a, b, c] = [1, 2, 3].map((i) => `v-${i}-${randomUUID()}`) as [string, string, string];
    for (const id of [a, b, c]) expect(await links.userOf(id)).toBeUndefined();
    // a was forgotten: linked elsewhere, it is read from the store at once; b is still cached as unlinked.
    await new IdentityLinks(store, 2, TTL, clock).link(a, 'u-a');
    await new IdentityLinks(store, 2, TTL, clock).link(b, 'u-b');
    expect(await links.userOf(b)).toBeUndefined();
    expect(await links.userOf(a)).toBe('u-a');
  });
});
