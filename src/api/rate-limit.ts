/**
 * Token buckets, one per client id (an API key, an address), in this process's memory: each
 * holds up to `burst` tokens and refills at `ratePerSec`; a request takes one. Clients are kept
 * in least-recently-seen order and the oldest is forgotten beyond `maxTracked`, so a flood of
 * new addresses costs bounded memory (a forgotten client starts again with a full bucket,
 * which is what an idle client would have anyway).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly maxTracked: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for `id`: 0 when granted, else the milliseconds until one is available. */
  take(id: string): number {
    const now = this.now();
    const bucket = this.buckets.get(id);
    let tokens = this.burst;
    if (bucket) {
      tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.ratePerSec) / 1000);
      this.buckets.delete(id); // re-inserted below: Map order is least recently seen first
    }
    const granted = tokens >= 1;
    this.buckets.set(id, { tokens: granted ? tokens - 1 : tokens, at: now });
    if (this.buckets.size > this.maxTracked) this.buckets.delete(this.buckets.keys().next().value!);
    return granted ? 0 : Math.ceil(((1 - tokens) * 1000) / this.ratePerSec);
  }
}

/**
 * Locks an address out after `failures` unknown API keys within `windowMs`, for `lockMs`: key
 * guessing from one address gets a handful of tries per lockout instead of thousands per second.
 */
export class FailedKeyLockout {
  private readonly entries = new Map<string, { failures: number; since: number; lockedUntil: number }>();

  constructor(
    private readonly rules: { failures: number; windowMs: number; lockMs: number; maxTracked: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the address stays locked out; 0 when it is not. */
  lockedFor(address: string): number {
    const left = (this.entries.get(address)?.lockedUntil ?? 0) - this.now();
    return left > 0 ? left : 0;
  }

  /** Records an unknown key from `address`; true when this failure locks it out. */
  fail(address: string): boolean {
    const now = this.now();
    let entry = this.entries.get(address);
    this.entries.delete(address);
    if (!entry || now - entry.since > this.rules.windowMs) entry = { failures: 0, since: now, lockedUntil: entry?.lockedUntil ?? 0 };
    entry.failures++;
    const locks = entry.failures >= this.rules.failures;
    if (locks) Object.assign(entry, { failures: 0, since: now, lockedUntil: now + this.rules.lockMs });
    this.entries.set(address, entry);
    if (this.entries.size > this.rules.maxTracked) this.entries.delete(this.entries.keys().next().value!);
    return locks;
  }
}
