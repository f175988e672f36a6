import type { Audience } from '../src/audiences/schema';

/**
 * The audiences that ship with Waymark (docs/audiences.md). More go in YAML or JSON files in
 * `<WAYMARK_JOURNEYS_DIR>/audiences/`.
 */
const audiences: Audience[] = [
  {
    name: 'paying-at-risk',
    description: 'Customers on a paid plan whose promoted churn model rates them at 0.7 or more.',
    when: { all: [{ score: 'churn', op: 'gte', value: 0.7 }, { attribute: 'plan', op: 'in', value: ['starter', 'pro', 'enterprise'] }] },
  },
];

export const SHIPPED_AUDIENCES: Record<string, Audience[]> = { 'journeys/audiences.ts': audiences };
