import type { Store } from '../../store/store';

/** The customer id events under an anonymous id alone go to while it is linked to no user. */
export const ANONYMOUS_PREFIX = 'anon:';

export function anonymousCustomerId(anonymousId: string): string {
  return ANONYMOUS_PREFIX + anonymousId;
}

/**
 * anonymousId -> userId links, in the store's identity_aliases table, with a bounded cache in
 * this process's memory so that the calls of a known visitor cost no query.
 *
 * The first link of an anonymous id is kept for good, so a cached link is never wrong. What can
 * be stale is a cached absence: for up to `ttlMs` after another API process linked an id, this
 * one still sends that id's calls to its anonymous customer. Links made here are seen at once.
 */
export class IdentityLinks {
  private readonly cache = new Map<string, { userId: string | undefined; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly maxSize: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user the anonymous id is linked to, if any. */
  async userOf(anonymousId: string): Promise<string | undefined> {
    const cached = this.cached(anonymousId);
    if (cached) return cached.userId;
    const { rows } = await this.store.query<{ user_id: string }>('SELECT user_id FROM identity_aliases WHERE anonymous_id = $1', [anonymousId]);
    this.remember(anonymousId, rows[0]?.user_id);
    return rows[0]?.user_id;
  }

  /** Links the anonymous id to `userId` unless it is linked already; returns the user it is linked to now (an earlier one wins). */
  async link(anonymousId: string, userId: string): Promise<string> {
    const known = this.cached(anonymousId)?.userId;
    if (known !== undefined) return known;
    // The SELECT sees the table as it was before the INSERT: exactly one of the two yields a row.
    const { rows } = await this.store.query<{ user_id: string }>(
      `WITH added AS (INSERT INTO identity_aliases (anonymous_id, user_id) VALUES ($1, $2) ON CONFLICT (anonymous_id) DO NOTHING RETURNING user_id)
       SELECT user_id FROM added UNION ALL SELECT user_id FROM identity_aliases WHERE anonymous_id = $1`,
      [anonymousId, userId],
    );
    const linked = rows[0]!.user_id;
    this.remember(anonymousId, linked);
    return linked;
  }

  private cached(anonymousId: string): { userId: string | undefined } | undefined {
    const entry = this.cache.get(anonymousId);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.ttlMs) {
      this.cache.delete(anonymousId);
      return undefined;
    }
    return entry;
  }

  private remember(anonymousId: string, userId: string | undefined): void {
    this.cache.delete(anonymousId); // re-inserted last: Map order is oldest first
    this.cache.set(anonymousId, { userId, at: this.now() });
    if (this.cache.size > this.maxSize) this.cache.delete(this.cache.keys().next().value!);
  }
}
