import { eventTypeOf, parseCall, type Call } from '../../src/api/segment/call';
import { eventTime, toCustomerEvent } from '../../src/api/segment/mapping';

const ECHO = 64;
const call = (fields: Record<string, unknown>, pathType?: Parameters<typeof parseCall>[2]): Call => {
  const parsed = parseCall({ messageId: 'm-1', ...fields }, [], pathType, ECHO);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.call;
};
const refusal = (fields: Record<string, unknown>, at: PropertyKey[] = ['batch', 2], pathType?: Parameters<typeof parseCall>[2]) => {
  const parsed = parseCall(fields, at, pathType, ECHO);
  if (parsed.ok) throw new Error('expected a refusal');
  return { code: parsed.error.code, path: parsed.error.path, message: parsed.error.message };
};

describe('Segment call checks', () => {
  it('keeps the fields Waymark uses and drops what SDKs add (integrations, _metadata, channel, context.library)', () => {
    const parsed = call({ type: 'track', userId: 'u1', event: 'Signed Up', integrations: { All: true }, _metadata: { nodeVersion: '22' }, channel: 'server', context: { library: { name: 'x' }, ip: '1.2.3.4', timezone: 'Europe/Paris' } });
    expect(parsed).toEqual({ type: 'track', messageId: 'm-1', userId: 'u1', event: 'Signed Up', context: { timezone: 'Europe/Paris' } });
  });

  it('takes the type from the endpoint, and refuses a call whose type names another endpoint', () => {
    expect(call({ userId: 'u1', traits: {} }, 'identify').type).toBe('identify');
    expect(refusal({ messageId: 'm', type: 'track', userId: 'u', event: 'x' }, [], 'identify')).toMatchObject({ code: 'FIELD_INVALID', path: 'type' });
  });

  it('names the field of the call in every refusal', () => {
    expect(refusal({ type: 'track', userId: 'u', event: 'x' })).toMatchObject({ code: 'FIELD_REQUIRED', path: 'batch[2].messageId' });
    expect(refusal({ messageId: 'm', type: 'track', event: 'x' })).toMatchObject({ code: 'FIELD_REQUIRED', path: 'batch[2].userId', message: expect.stringContaining('batch[2].anonymousId') });
    expect(refusal({ messageId: 'm', userId: 'u', event: 'x' })).toMatchObject({ code: 'FIELD_REQUIRED', path: 'batch[2].type' });
    expect(refusal({ messageId: 'm', type: 'track', userId: 'u' })).toMatchObject({ code: 'FIELD_REQUIRED', path: 'batch[2].event' });
    expect(refusal({ messageId: 'm', type: 'alias', userId: 'u' })).toMatchObject({ code: 'FIELD_REQUIRED', path: 'batch[2].previousId' });
    expect(refusal({ messageId: 'm', type: 'track', userId: 'u', event: 'x', timestamp: 'yesterday' })).toMatchObject({ code: 'FIELD_FORMAT', path: 'batch[2].timestamp' });
    expect(refusal({ messageId: 'm', type: 'track', userId: 'has space', event: 'x' })).toMatchObject({ code: 'FIELD_FORMAT', path: 'batch[2].userId' });
    expect(refusal({ messageId: 'm', type: 'track', userId: 'u', event: 'x', properties: [1] })).toMatchObject({ code: 'FIELD_TYPE', path: 'batch[2].properties' });
    expect(refusal({ messageId: 'm', type: 'login', userId: 'u' })).toMatchObject({ code: 'FIELD_INVALID', path: 'batch[2].type' });
    expect(refusal('not a call' as never)).toMatchObject({ code: 'FIELD_TYPE', path: 'batch[2]' });
  });

  it('reads null as "not given"', () => {
    expect(call({ type: 'page', userId: null, anonymousId: 'a1', name: null })).toEqual({ type: 'page', messageId: 'm-1', anonymousId: 'a1' });
  });
});

describe('track event names', () => {
  it('keeps a valid event type and snake-cases a name with spaces; refuses what is neither', () => {
    expect(eventTypeOf('signed_up')).toBe('signed_up');
    expect(eventTypeOf('Checkout.Started')).toBe('checkout.started');
    // One rule for every name: a name that was a valid type already is lower-cased too.
    expect(eventTypeOf('Activated')).toBe('activated');
    expect(eventTypeOf('Signed_Up')).toBe('signed_up');
    expect(eventTypeOf('Signed Up')).toBe('signed_up');
    expect(eventTypeOf('  Order   Completed ')).toBe('order_completed');
    expect(eventTypeOf('Order Completed (v2)')).toBeUndefined();
    expect(eventTypeOf('1 click')).toBeUndefined();
  });
});

describe('event time and clock skew', () => {
  const received = Date.parse('2026-11-25T12:00:00Z');
  const SLOW = 15 * 60_000;
  const time = (call: Parameters<typeof eventTime>[0]) => new Date(eventTime(call, received, SLOW)).toISOString();

  it('uses timestamp, else originalTimestamp, else the arrival', () => {
    expect(time({ timestamp: '2026-11-25T11:00:00Z', originalTimestamp: '2026-11-25T10:00:00Z' })).toBe('2026-11-25T11:00:00.000Z');
    expect(time({ originalTimestamp: '2026-11-25T10:00:00Z' })).toBe('2026-11-25T10:00:00.000Z');
    expect(time({})).toBe('2026-11-25T12:00:00.000Z');
  });

  it('moves the time back by how far sentAt is ahead of the arrival (a fast clock)', () => {
    // The device's clock is 10 minutes fast: it says it sent at 12:10 what arrived at 12:00.
    expect(time({ originalTimestamp: '2026-11-25T12:09:00Z', sentAt: '2026-11-25T12:10:00Z' })).toBe('2026-11-25T11:59:00.000Z');
  });

  it('moves it later by how far sentAt is behind (a slow clock), up to the configured bound', () => {
    // The device's clock is 10 minutes slow: it says it sent at 11:50 what arrived at 12:00.
    expect(time({ originalTimestamp: '2026-11-25T11:49:00Z', sentAt: '2026-11-25T11:50:00Z' })).toBe('2026-11-25T11:59:00.000Z');
    // An hour behind is a body that waited in a queue or was retried: its time stands.
    expect(time({ timestamp: '2026-11-25T11:00:00Z', sentAt: '2026-11-25T11:00:30Z' })).toBe('2026-11-25T11:00:00.000Z');
  });
});

describe('calls as Waymark events', () => {
  const received = Date.parse('2026-11-25T12:00:00Z');
  const map = (fields: Record<string, unknown>, customerId = 'u1') => toCustomerEvent(call(fields), customerId, received, [], { maxEchoChars: ECHO, maxSlowClockMs: 15 * 60_000 });

  it('identify: contact fields from the traits (or context) go to the contact, the other traits to the profile', () => {
    const mapped = map({ type: 'identify', userId: 'u1', traits: { email: 'ana@example.com', phone: '+14155550123', plan: 'pro' }, context: { timezone: 'Europe/Paris', locale: 'fr-FR', traits: { company: 'Acme', plan: 'free' } }, timestamp: '2026-11-25T11:00:00Z' });
    expect(mapped).toMatchObject({ ok: true });
    if (!mapped.ok) return;
    expect(mapped.event).toEqual({
      messageId: 'm-1',
      type: 'identify',
      customerId: 'u1',
      timestamp: '2026-11-25T11:00:00.000Z',
      properties: {},
      context: { email: 'ana@example.com', phone: '+14155550123', timezone: 'Europe/Paris', locale: 'fr-FR', traits: { company: 'Acme', plan: 'pro' } },
    });
  });

  it('refuses a contact field a profile cannot hold, naming where it came from; ignores an empty one', () => {
    const bad = map({ type: 'identify', userId: 'u1', traits: { phone: '555-1234' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'FIELD_FORMAT', path: 'traits.phone' } });
    const empty = map({ type: 'identify', userId: 'u1', traits: { phone: '', email: null, plan: 'pro' } });
    expect(empty.ok && empty.event.context).toEqual({ traits: { plan: 'pro' } });
  });

  it('track: the event name as type, properties as they are; page and screen keep name and category', () => {
    const track = map({ type: 'track', userId: 'u1', event: 'Signed Up', properties: { plan: 'pro' } });
    expect(track.ok && [track.event.type, track.event.properties]).toEqual(['signed_up', { plan: 'pro' }]);
    const page = map({ type: 'page', anonymousId: 'a1', name: 'Pricing', category: 'Docs', properties: { path: '/pricing' } }, 'anon:a1');
    expect(page.ok && [page.event.type, page.event.customerId, page.event.properties]).toEqual(['page', 'anon:a1', { name: 'Pricing', category: 'Docs', path: '/pricing' }]);
  });

  it('group: the group and its traits stay on the event, never in the user profile', () => {
    const group = map({ type: 'group', userId: 'u1', groupId: 'acme', traits: { employees: 40 } });
    expect(group.ok && group.event).toMatchObject({ type: 'group', properties: { groupId: 'acme', traits: { employees: 40 } } });
    expect(group.ok && group.event.context).toBeUndefined();
  });

  it('keeps the stated time apart from the corrected one, so a resend digests alike', () => {
    const fast = map({ type: 'track', userId: 'u1', event: 'x', originalTimestamp: '2026-11-25T12:09:00Z', sentAt: '2026-11-25T12:10:00Z' });
    expect(fast.ok && [fast.event.timestamp, fast.stated.timestamp]).toEqual(['2026-11-25T11:59:00.000Z', '2026-11-25T12:09:00Z']);
  });
});
