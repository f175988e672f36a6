import { evaluate } from '../journey/conditions';
import { MODELS, SCORE_NAMES } from '../scoring/models';
import type { Store } from '../store/store';
import type { Audience } from './schema';

/**
 * Whether a profile's traits match an audience. A `score` test reads the score a promoted model
 * wrote into the profile (`churn_score`, ...): an audience is re-evaluated over every profile, so
 * it reads stored scores rather than scoring each customer again.
 */
export function matchesAudience(audience: Audience, traits: Record<string, unknown>): boolean {
  const scores = Object.fromEntries(
    SCORE_NAMES.map((name) => {
      const value = traits[MODELS[name].scores.trait];
      return [name, { value: typeof value === 'number' ? value : undefined, from: 'profile' }];
    }),
  );
  return evaluate(audience.when, { attributes: traits, properties: {}, performed: {}, scores });
}

/** Every customer whose profile matches, read a page of profiles at a time (in customer id order). */
export async function currentMembers(store: Store, audience: Audience, pageRows: number, onPage?: (seen: number) => void): Promise<string[]> {
  const members: string[] = [];
  let after = '';
  let seen = 0;
  for (;;) {
    const { rows } = await store.query<{ customer_id: string; traits: Record<string, unknown> }>(
      'SELECT customer_id, traits FROM profiles WHERE customer_id > $1 ORDER BY customer_id LIMIT $2',
      [after, pageRows],
    );
    for (const row of rows) if (matchesAudience(audience, row.traits)) members.push(row.customer_id);
    seen += rows.length;
    onPage?.(seen);
    if (rows.length < pageRows) return members;
    after = rows.at(-1)!.customer_id;
  }
}
