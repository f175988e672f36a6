import { CustomerEvent, EventContext } from '../../src/events/schema';
import type { ProfileStore } from '../../src/profiles/port';
import type { Warehouse } from '../../src/warehouse/port';
import type { AttributesMerged } from '../../workflows/pipeline/contract';
import { walkOutbox, type OutboxProgress } from './outbox';

/** How many refused customers a run's result names (the count covers all of them). */
const NAMED = 5;

/**
 * Writes the warehouse attributes of the customers whose values changed straight into their
 * profiles, with their email where the profile has none, a page (one transaction) at a time:
 * state, not events, so no router has to wake for it. A customer id the event API would refuse, or a profile that would break its limits, is
 * counted and named in the result; the others are updated.
 */
export async function mergeAttributes(warehouse: Warehouse, profiles: Pick<ProfileStore, 'mergeTraits'>, batchId: string): Promise<AttributesMerged> {
  const start: OutboxProgress & AttributesMerged = { step: 'merge attributes', done: 0, updated: 0, refused: 0, examples: [] };
  const { updated, refused, examples } = await walkOutbox(warehouse, batchId, 'attributes', start, async (rows, progress) => {
    const valid = [];
    const refusals: Array<{ customerId: string; reason: string }> = [];
    for (const row of rows) {
      const id = CustomerEvent.shape.customerId.safeParse(row.customer_id);
      if (!id.success) refusals.push({ customerId: row.customer_id, reason: `customerId: ${id.error.issues[0]!.message}` });
      else {
        // The warehouse's (normalised) email reaches a profile that has none; one that does not parse is left out.
        const email = EventContext.shape.email.safeParse(row.email ?? undefined);
        const traits = { plan: row.plan, company_size: row.company_size, health_score: row.health_score, health_category: row.health_category };
        valid.push({ customerId: row.customer_id, traits, ...(email.success && email.data ? { email: email.data } : {}) });
      }
    }
    const outcome = await profiles.mergeTraits(valid);
    refusals.push(...outcome.refused);
    progress.updated += outcome.updated;
    progress.refused += refusals.length;
    progress.examples = [...progress.examples, ...refusals.map((r) => `${r.customerId}: ${r.reason}`)].slice(0, NAMED);
  });
  return { updated, refused, examples };
}
