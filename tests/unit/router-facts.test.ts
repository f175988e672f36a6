import { composeKey } from '../../workflows/contract';
import { eventDigest, profileChanges } from '../../workflows/event-facts';
import { PgProfileStore } from '../../src/profiles/pg-store';
import { Store } from '../../src/store/store';
import { testConfig } from '../support/harness';
import { ProfileLimitError } from '../../src/profiles/port';
import { md } from '../../src/temporal/markdown';
import { explainCondition } from '../../src/journey/explain';
import type { CustomerEvent } from '../../src/events/schema';

const event = (extra: Partial<CustomerEvent> = {}): CustomerEvent => ({
  messageId: 'm-1',
  type: 'signed_up',
  customerId: 'c-1',
  timestamp: '2026-11-25T10:00:00Z',
  properties: {},
  ...extra,
});

describe('composed keys', () => {
  it('never collide when ids contain the separator a plain join would use', () => {
    // The collision the hardening issue found: customer "acme/1" + message "m-1" vs customer "acme" + message "1/m-1".
    expect(composeKey('send', 'j', 'acme/1', 'm-1', 'welcome', 1)).not.toBe(composeKey('send', 'j', 'acme', '1/m-1', 'welcome', 1));
    expect(composeKey('a"', 'b')).not.toBe(composeKey('a', '"b'));
    expect(composeKey('x', 1)).not.toBe(composeKey('x', '1'));
  });
});

describe('event facts', () => {
  it('a retry has the digest of the first delivery; any change of content gives another', () => {
    expect(eventDigest(event())).toBe(eventDigest(event({ messageId: 'other-id' })));
    expect(eventDigest(event())).not.toBe(eventDigest(event({ properties: { plan: 'pro' } })));
    expect(eventDigest(event())).not.toBe(eventDigest(event({ timestamp: '2026-11-25T10:00:01Z' })));
    expect(eventDigest(event({ properties: { a: 1, b: 2 } }))).toBe(eventDigest(event({ properties: { b: 2, a: 1 } })));
  });

  it('keeps contact fields (they used to be dropped) and traits for the profile', () => {
    expect(profileChanges(event())).toBeUndefined();
    expect(profileChanges(event({ context: { email: 'ana@example.com', timezone: 'Europe/Paris', traits: { plan: 'pro' } } }))).toEqual({
      traits: { plan: 'pro' },
      contact: { email: 'ana@example.com', timezone: 'Europe/Paris' },
    });
  });

  it('turns unsubscribed and subscribed events into consent, for one channel or all; routers from before consent existed skip it', () => {
    expect(profileChanges(event({ type: 'unsubscribed', properties: { channel: 'sms' } }))).toEqual({ consent: { sms: 'unsubscribed' } });
    expect(profileChanges(event({ type: 'subscribed' }))).toEqual({ consent: { email: 'subscribed', push: 'subscribed', sms: 'subscribed', in_app: 'subscribed' } });
    expect(profileChanges(event({ type: 'unsubscribed', properties: { channel: 'fax' } }))).toBeUndefined();
    expect(profileChanges(event({ type: 'unsubscribed' }), false)).toBeUndefined();
  });
});

describe('profile limits (the real store: the test run\'s PostgreSQL)', () => {
  const limits = { maxTraits: 3, maxTraitKeyChars: 10, maxTraitValueBytes: 50, maxProfileBytes: 120 };
  const stores: Store[] = [];
  afterAll(() => Promise.all(stores.map((s) => s.close())));
  const store = () => {
    const db = new Store(testConfig());
    stores.push(db);
    return new PgProfileStore(db, 10, limits);
  };

  it('refuses an update that would break a limit, names it, and keeps the profile as it was', async () => {
    const s = store();
    await s.apply('c', { traits: { a: 1, b: 2 }, contact: { email: 'ana@example.com' } }, 'k1');
    await expect(s.apply('c', { traits: { c: 3, d: 4 } }, 'k2')).rejects.toThrow(/at most 3 .*WAYMARK_MAX_TRAITS/);
    await expect(s.apply('c', { traits: { averyveryverylongname: 1 } }, 'k3')).rejects.toThrow(/WAYMARK_MAX_TRAIT_KEY_CHARS/);
    await expect(s.apply('c', { traits: { blob: 'x'.repeat(100) } }, 'k4')).rejects.toBeInstanceOf(ProfileLimitError);
    expect(await s.get('c')).toEqual({ a: 1, b: 2, contact: { email: 'ana@example.com' } });
  });

  it('null removes a trait, and a key applied twice changes nothing the second time', async () => {
    const s = store();
    await s.apply('c', { traits: { a: 1, b: 2 } }, 'k1');
    await s.apply('c', { traits: { a: null } }, 'k2');
    await s.apply('c', { traits: { a: 5 } }, 'k2');
    expect(await s.get('c')).toEqual({ b: 2 });
  });
});

describe('text shown in the Temporal UI', () => {
  it('escapes markup from customer data so it reads as written and links nothing', () => {
    const shown = md('<img src=x onerror=alert(1)> [click](http://evil) **bold**');
    // Rendered as Markdown this reads exactly as written: no HTML, no link, no bold.
    expect(shown).toBe('&lt;img src=x onerror=alert(1)&gt; \\[click\\](http://evil) \\*\\*bold\\*\\*');
    expect(md('x'.repeat(500), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('explains a branch with the values it saw', () => {
    const scope = { attributes: { plan: 'free' }, properties: {}, performed: { activated: 1 } };
    expect(explainCondition({ attribute: 'plan', op: 'in', value: ['pro', 'enterprise'] }, scope).text).toBe('plan in [pro, enterprise] did not hold (plan = "free")');
    expect(explainCondition({ all: [{ performed: 'activated' }, { attribute: 'seats', op: 'exists' }] }, scope)).toEqual({
      holds: false,
      text: 'all(performed activated, seats exists) did not hold (performed activated 1x, seats = missing)',
    });
  });
});
