import { FailedKeyLockout, TokenBuckets } from '../../src/api/rate-limit';
import { RecentMessages } from '../../src/api/recent-messages';
import type { CustomerEvent } from '../../src/events/schema';

/** The in-memory limiters and the recent-messages cache, on a clock the test moves. */

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('TokenBuckets', () => {
  it('grants the burst, then one request per 1/rate seconds, and says how long to wait', () => {
    const t = clock();
    const buckets = new TokenBuckets(2, 3, 100, t.now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(500);
    t.advance(400);
    expect(buckets.take('a')).toBe(100);
    t.advance(100);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('b')).toBe(0); // another client has its own bucket
  });

  it('never refills beyond the burst', () => {
    const t = clock();
    const buckets = new TokenBuckets(10, 2, 100, t.now);
    buckets.take('a');
    t.advance(60_000);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 100]);
  });

  it('forgets the least recently seen client beyond maxTracked (bounded memory)', () => {
    const t = clock();
    const buckets = new TokenBuckets(1, 1, 2, t.now);
    buckets.take('a');
    buckets.take('b');
    expect(buckets.take('a')).toBeGreaterThan(0); // 'a' is now the most recent
    buckets.take('c'); // evicts 'b'
    expect(buckets.take('a')).toBeGreaterThan(0);
    expect(buckets.take('b')).toBe(0);
  });
});

describe('FailedKeyLockout', () => {
  const rules = { failures: 3, windowMs: 60_000, lockMs: 600_000, maxTracked: 100 };

  it('locks an address after `failures` unknown keys within the window, for lockMs', () => {
    const t = clock();
    const lockout = new FailedKeyLockout(rules, t.now);
    expect([lockout.fail('x'), lockout.fail('x'), lockout.fail('x')]).toEqual([false, false, true]);
    expect(lockout.lockedFor('x')).toBe(600_000);
    expect(lockout.lockedFor('y')).toBe(0);
    t.advance(600_000);
    expect(lockout.lockedFor('x')).toBe(0);
  });

  it('starts counting again once the window has passed', () => {
    const t = clock();
    const lockout = new FailedKeyLockout(rules, t.now);
    lockout.fail('x');
    lockout.fail('x');
    t.advance(60_001);
    expect(lockout.fail('x')).toBe(false);
    expect(lockout.lockedFor('x')).toBe(0);
  });
});

describe('RecentMessages', () => {
  const event = (over: Partial<CustomerEvent> = {}): CustomerEvent => ({ messageId: 'm1', type: 'signed_up', customerId: 'c1', timestamp: '2026-11-21T09:30:00Z', properties: { a: 1, b: 2 }, ...over });

  it('tells the same event (whatever its key order or time zone) from another one under the same id', () => {
    const t = clock();
    const recent = new RecentMessages(10, 60_000, t.now);
    expect(recent.classify(event())).toBe('new');
    recent.remember(event());
    expect(recent.classify(event({ properties: { b: 2, a: 1 }, timestamp: '2026-11-21T10:30:00+01:00' }))).toBe('duplicate');
    expect(recent.classify(event({ properties: { a: 1, b: 3 } }))).toBe('conflict');
    expect(recent.classify(event({ customerId: 'c2' }))).toBe('new');
    t.advance(60_001);
    expect(recent.classify(event({ properties: { a: 1, b: 3 } }))).toBe('new');
  });

  it('keeps at most maxSize entries, oldest out first', () => {
    const recent = new RecentMessages(2, 60_000);
    for (const id of ['m1', 'm2', 'm3']) recent.remember(event({ messageId: id }));
    expect(['m1', 'm2', 'm3'].map((id) => recent.classify(event({ messageId: id })))).toEqual(['new', 'duplicate', 'duplicate']);
  });

  it('does not confuse ids that contain the separator of a joined key', () => {
    const recent = new RecentMessages(10, 60_000);
    recent.remember(event({ customerId: 'acme/1', messageId: 'm-1' }));
    expect(recent.classify(event({ customerId: 'acme', messageId: '1/m-1' }))).toBe('new');
  });
});
