import { createHash } from 'node:crypto';
import type { CustomerEvent } from '../events/schema';

export type Repeat = 'new' | 'duplicate' | 'conflict';

/**
 * The (customerId, messageId) pairs this API process accepted recently, with a digest of each
 * event, so a resend can be told apart: the same event again is a duplicate (already recorded,
 * nothing to do), another event under the same id is a conflict (the sender reused an id, and
 * the router would drop the new event as a duplicate). Only what this process accepted is known:
 * the customer router keeps the durable record (see docs/events-api.md).
 *
 * Bounded: at most `maxSize` entries, oldest first out, each forgotten after `ttlMs`.
 */
export class RecentMessages {
  private readonly seen = new Map<string, { digest: string; at: number }>();

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  classify(event: CustomerEvent, digest = eventDigest(event)): Repeat {
    const key = messageKey(event);
    const entry = this.seen.get(key);
    if (!entry) return 'new';
    if (this.now() - entry.at > this.ttlMs) {
      this.seen.delete(key);
      return 'new';
    }
    return entry.digest === digest ? 'duplicate' : 'conflict';
  }

  /** Call once Temporal recorded the event. */
  remember(event: CustomerEvent, digest = eventDigest(event)): void {
    const key = messageKey(event);
    this.seen.delete(key);
    this.seen.set(key, { digest, at: this.now() });
    if (this.seen.size > this.maxSize) this.seen.delete(this.seen.keys().next().value!);
  }
}

/** The router deduplicates per customer, so the same messageId for two customers names two events. JSON keeps the pair unambiguous. */
export function messageKey(event: CustomerEvent): string {
  return JSON.stringify([event.customerId, event.messageId]);
}

/**
 * SHA-256 of the event in a canonical form: object keys sorted, the timestamp as the instant it
 * names ("…T10:00:00+02:00" and "…T08:00:00Z" are the same event), or left out when the sender
 * stated none (a Segment call without one).
 */
export function eventDigest(event: Omit<CustomerEvent, 'timestamp'> & { timestamp?: string }): string {
  const canonical = canonicalJson({ ...event, timestamp: event.timestamp === undefined ? undefined : new Date(Date.parse(event.timestamp)).toISOString() });
  return createHash('sha256').update(canonical, 'utf8').digest('base64');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
