import type { ContactFields, ProfileView } from '../profiles/port';
import type { Template } from './schema';

/**
 * The variables a template can read. Fixed namespaces come from Waymark; traits and event
 * properties are open-ended, so each template declares those it reads (`variables.traits`,
 * `variables.event`): a misspelt name is then an error at validation, not a blank in a message.
 */
export const FIXED_FIELDS = {
  contact: ['email', 'phone', 'timezone', 'locale'],
  customer: ['id'],
  journey: ['id', 'name', 'version', 'step'],
} as const;

/** What a template is rendered with: one customer, one journey step, one triggering event. */
export interface TemplateVariables {
  /** The profile's traits, read at the top level: `{{ first_name }}`. */
  traits: Record<string, unknown>;
  contact: ContactFields;
  customer: { id: string };
  /** The triggering event's properties: `{{ event.plan }}`. */
  event: Record<string, unknown>;
  journey: { id: string; name: string; version: string; step: string };
}

/** The variables for one send: the customer's profile (traits and contact), the triggering event's properties, the journey step. */
export function templateVariables(input: {
  customerId: string;
  profile: ProfileView;
  eventProperties?: Record<string, unknown>;
  journey: { id: string; name: string; version: string };
  stepId: string;
}): TemplateVariables {
  // Consent is contact policy, not content: it never reaches a template.
  const traits: Record<string, unknown> = { ...input.profile };
  delete traits.contact;
  delete traits.consent;
  const contact = input.profile.contact ?? {};
  return {
    traits,
    contact,
    customer: { id: input.customerId },
    event: input.eventProperties ?? {},
    journey: { ...input.journey, step: input.stepId },
  };
}

/** The Liquid scope: traits at the top, Waymark's namespaces over any trait of the same name. */
export function liquidScope(v: TemplateVariables): Record<string, unknown> {
  return { ...v.traits, contact: v.contact, customer: v.customer, event: v.event, journey: v.journey };
}

/** A variable path as liquidjs's analysis gives it: names, indexes, or a nested variable (`a[b]`). */
export type Segments = ReadonlyArray<string | number | unknown>;

/** Why a variable a template reads is not one it may read; undefined when it may. */
export function variableProblem(segments: Segments, declared: Template['variables']): string | undefined {
  const [root, field] = segments;
  const dotted = segments.map((s) => (typeof s === 'string' || typeof s === 'number' ? String(s) : '[…]')).join('.');
  if (typeof root !== 'string') return `"${dotted}" is not a variable name`;
  if (root === 'event') {
    if (typeof field !== 'string') return `"${dotted}": name an event property, e.g. {{ event.plan }}, and list it under variables.event`;
    if (!declared.event.includes(field)) {
      return `unknown variable "${dotted}": the event property "${field}" is not listed under variables.event${known(declared.event)}; add it there or fix the spelling`;
    }
    return undefined;
  }
  if (Object.hasOwn(FIXED_FIELDS, root)) {
    const fields = FIXED_FIELDS[root as keyof typeof FIXED_FIELDS] as readonly string[];
    if (typeof field !== 'string' || !fields.includes(field)) {
      return `unknown variable "${dotted}": ${root} has ${fields.map((f) => `${root}.${f}`).join(', ')}`;
    }
    if (segments.length > 2) return `unknown variable "${dotted}": ${root}.${field} has no fields`;
    return undefined;
  }
  if (!declared.traits.includes(root)) {
    return `unknown variable "${dotted}": "${root}" is not listed under variables.traits${known(declared.traits)}, nor is it contact.*, customer.id, event.* or journey.*; declare the trait or fix the spelling`;
  }
  return undefined;
}

function known(names: readonly string[]): string {
  return names.length ? ` (${names.join(', ')})` : ' (none listed)';
}
