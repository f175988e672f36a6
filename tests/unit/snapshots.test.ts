import { Snapshots } from '../../src/results/snapshots';

/** A computation the test finishes when it chooses, counting how often it was started. */
function deferredComputations<V>() {
  const pending: Array<{ resolve: (v: V) => void; reject: (e: Error) => void }> = [];
  return {
    started: () => pending.length,
    compute: () => new Promise<V>((resolve, reject) => pending.push({ resolve, reject })),
    resolve: (i: number, v: V) => pending[i]!.resolve(v),
    reject: (i: number, e: Error) => pending[i]!.reject(e),
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('snapshots of costly figures (the console journey page)', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('makes the first readers of a key wait for one computation, then serves it while fresh', async () => {
    const snapshots = new Snapshots<number>({ refreshMs: 15_000, maxEntries: 10, now: clock });
    const c = deferredComputations<number>();
    const first = snapshots.read('a', c.compute);
    const second = snapshots.read('a', c.compute);
    expect(c.started()).toBe(1);
    c.resolve(0, 42);
    expect(await first).toEqual({ value: 42, asOf: new Date(now) });
    expect((await second).value).toBe(42);
    now += 14_999;
    expect((await snapshots.read('a', c.compute)).value).toBe(42);
    expect(c.started()).toBe(1);
  });

  it('serves stale figures at once and computes newer ones in the background, one at a time', async () => {
    const snapshots = new Snapshots<number>({ refreshMs: 15_000, maxEntries: 10, now: clock });
    const c = deferredComputations<number>();
    const start = now;
    const first = snapshots.read('a', c.compute);
    c.resolve(0, 1);
    await first;
    now += 15_000;
    const stale = await snapshots.read('a', c.compute);
    expect(stale).toEqual({ value: 1, asOf: new Date(start) });
    await snapshots.read('a', c.compute);
    expect(c.started()).toBe(2); // the second stale read did not start another computation
    c.resolve(1, 2);
    await settle();
    expect(await snapshots.read('a', c.compute)).toEqual({ value: 2, asOf: new Date(now) });
  });

  it('keeps the last figures when a refresh fails, and says when and why', async () => {
    const snapshots = new Snapshots<number>({ refreshMs: 1_000, maxEntries: 10, now: clock });
    const c = deferredComputations<number>();
    const first = snapshots.read('a', c.compute);
    c.resolve(0, 7);
    await first;
    now += 1_000;
    await snapshots.read('a', c.compute);
    c.reject(1, new Error('Namespace not found'));
    await settle();
    const kept = await snapshots.read('a', c.compute);
    expect(kept.value).toBe(7);
    expect(kept.refreshFailed).toEqual({ at: new Date(now), message: 'Namespace not found' });
    expect(c.started()).toBe(3); // still stale: that read tried again
    c.resolve(2, 8);
    await settle();
    const fresh = await snapshots.read('a', c.compute);
    expect(fresh.value).toBe(8);
    expect(fresh.refreshFailed).toBeUndefined();
  });

  it('throws a failed first computation to its readers, and the next reader tries again', async () => {
    const snapshots = new Snapshots<number>({ refreshMs: 15_000, maxEntries: 10, now: clock });
    const c = deferredComputations<number>();
    const first = snapshots.read('a', c.compute);
    c.reject(0, new Error('unavailable'));
    await expect(first).rejects.toThrow('unavailable');
    const again = snapshots.read('a', c.compute);
    c.resolve(1, 3);
    expect((await again).value).toBe(3);
  });

  it('keeps at most maxEntries keys, forgetting the least recently read', async () => {
    const snapshots = new Snapshots<string>({ refreshMs: 15_000, maxEntries: 2, now: clock });
    let computed = 0;
    const compute = (v: string) => () => (computed++, Promise.resolve(v));
    await snapshots.read('a', compute('a'));
    await snapshots.read('b', compute('b'));
    await snapshots.read('a', compute('a'));
    await snapshots.read('c', compute('c')); // forgets b, read least recently
    expect(computed).toBe(3);
    await snapshots.read('a', compute('a'));
    expect(computed).toBe(3);
    await snapshots.read('b', compute('b'));
    expect(computed).toBe(4);
  });

  it('with refreshMs 0 computes for every reader', async () => {
    const snapshots = new Snapshots<number>({ refreshMs: 0, maxEntries: 10, now: clock });
    let computed = 0;
    const compute = () => Promise.resolve(++computed);
    expect((await snapshots.read('a', compute)).value).toBe(1);
    expect((await snapshots.read('a', compute)).value).toBe(2);
  });
});
