import { fnv1a, pickPath } from '../../src/journey/split';

const PATHS = [
  { name: 'discount', weight: 45 },
  { name: 'extension', weight: 45 },
  { name: 'holdout', weight: 10, holdout: true },
] as const;

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('always returns an unsigned 32-bit integer', () => {
    for (const text of ['x', 'customer-123', '\u0000\uffff', 'é'.repeat(50)]) {
      const h = fnv1a(text);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
  });
});

describe('pickPath', () => {
  it('is sticky: the same customer, journey and step always get the same path', () => {
    for (let i = 0; i < 200; i++) {
      const id = `cust-${i}`;
      const first = pickPath(PATHS, 'trial-conversion', 'offer_test', id);
      for (let again = 0; again < 3; again++) expect(pickPath(PATHS, 'trial-conversion', 'offer_test', id)).toBe(first);
      // the same answer from a fresh copy of the paths (as after a replay or continue-as-new)
      expect(pickPath(PATHS.map((p) => ({ ...p })), 'trial-conversion', 'offer_test', id).name).toBe(first.name);
    }
  });

  it('assigns independently per journey and per step', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `cust-${i}`);
    const names = (journey: string, step: string) => ids.map((id) => pickPath(PATHS, journey, step, id).name).join(',');
    expect(names('trial-conversion', 'offer_test')).not.toBe(names('trial-conversion', 'other_test'));
    expect(names('trial-conversion', 'offer_test')).not.toBe(names('other-journey', 'offer_test'));
  });

  it('does not confuse the parts of the key (journey "a", step "bc" vs journey "ab", step "c")', () => {
    const two = [
      { name: 'x', weight: 1 },
      { name: 'y', weight: 1 },
    ];
    const differs = Array.from({ length: 200 }, (_, i) => `c${i}`).some(
      (id) => pickPath(two, 'a', 'bc', id).name !== pickPath(two, 'ab', 'c', id).name,
    );
    expect(differs).toBe(true);
  });

  it('keeps 1:1 splits of different journeys independent (no parity of the id deciding every test)', () => {
    const ab = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ];
    const n = 10_000;
    let same = 0;
    let first = 0;
    for (let i = 0; i < n; i++) {
      const one = pickPath(ab, 'trial-conversion', 'offer_test', `customer-${i}`).name;
      if (one === 'a') first++;
      if (one === pickPath(ab, 'onboarding', 'welcome_test', `customer-${i}`).name) same++;
    }
    expect(Math.abs(first / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(same / n - 0.5)).toBeLessThan(0.03); // was 1.0: every customer got the same arm everywhere
  });

  it('spreads 10k customers by weight, within 2 percentage points', () => {
    const counts: Record<string, number> = { discount: 0, extension: 0, holdout: 0 };
    const n = 10_000;
    for (let i = 0; i < n; i++) counts[pickPath(PATHS, 'trial-conversion', 'offer_test', `customer-${i}`).name]!++;
    expect(Math.abs(counts.discount! / n - 0.45)).toBeLessThan(0.02);
    expect(Math.abs(counts.extension! / n - 0.45)).toBeLessThan(0.02);
    expect(Math.abs(counts.holdout! / n - 0.1)).toBeLessThan(0.02);
  });

  it('honours uneven weights such as 1:99', () => {
    const paths = [
      { name: 'rare', weight: 1 },
      { name: 'common', weight: 99 },
    ];
    let rare = 0;
    for (let i = 0; i < 10_000; i++) if (pickPath(paths, 'j', 's', `u${i}`).name === 'rare') rare++;
    expect(rare).toBeGreaterThan(50);
    expect(rare).toBeLessThan(150);
  });

  it('always picks the only path with weight when others are unreachable', () => {
    const paths = [{ name: 'only', weight: 7 }];
    for (let i = 0; i < 100; i++) expect(pickPath(paths, 'j', 's', `u${i}`).name).toBe('only');
  });
});
