import { z } from 'zod';
import { Condition, Duration } from '../journey/schema';

/**
 * An audience: a named condition over a customer's profile (its own traits, the warehouse's
 * attributes merged into it, the scores a promoted model wrote). Customers who come to match enter
 * it, and the journeys listening get an `audience_entered` event (docs/audiences.md).
 */

export const AUDIENCE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** The event a customer gets on entering an audience (or on its schedule); its `audience` property names it. */
export const AUDIENCE_EVENT = 'audience_entered';

/** Whether a condition reads only what a profile holds: attributes and scores, not events. */
function profileOnly(condition: Condition): string | undefined {
  if ('all' in condition) return condition.all.map(profileOnly).find(Boolean);
  if ('any' in condition) return condition.any.map(profileOnly).find(Boolean);
  if ('not' in condition) return profileOnly(condition.not);
  if ('performed' in condition) return `"performed" reads a journey run's events; an audience reads profiles only (use an attribute or a score)`;
  if ('property' in condition) return `"property" reads an event; an audience reads profiles only (use "attribute" or "score")`;
  return undefined;
}

export const AudienceSchema = z.strictObject({
  name: z.string().regex(AUDIENCE_NAME, 'must be an audience name: lowercase letters, digits and "-", starting with a letter'),
  description: z.string().max(2_000).optional(),
  when: Condition.superRefine((condition, ctx) => {
    const problem = profileOnly(condition);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Also enrol every member on a calendar (a Temporal Schedule), not only those who come to match. */
  schedule: z.strictObject({ every: Duration }).optional(),
});
export type Audience = z.infer<typeof AudienceSchema>;
