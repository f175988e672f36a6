import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Config } from './config';
import type { CustomerEvent } from './events/schema';
import { submitEvent } from './events/intake';

/** An event's context, where `email: true` stands for the customer's own example.com address. */
type DemoContext = Omit<NonNullable<CustomerEvent['context']>, 'email'> & { email?: true };

/** Synthetic customers and what they do, so a new user sees every kind of run in the Web UI. */
const SCRIPT: Array<{ customer: string; type: string; properties?: Record<string, unknown>; context?: DemoContext; afterMs?: number }> = [
  { customer: 'ada', type: 'signed_up', context: { email: true, timezone: 'Europe/London', traits: { plan: 'free', first_name: 'Ada' } } },
  { customer: 'grace', type: 'signed_up', context: { email: true, timezone: 'America/New_York', traits: { plan: 'free', first_name: 'Grace' } } },
  { customer: 'linus', type: 'signed_up', context: { email: true, timezone: 'Europe/Helsinki' } },
  { customer: 'grace', type: 'activated', afterMs: 1_000 },
  { customer: 'linus', type: 'account_deleted', afterMs: 1_000 },
  { customer: 'alan', type: 'trial_started', context: { email: true, timezone: 'Europe/London', traits: { usage_events: 25, first_name: 'Alan' } } },
  { customer: 'barbara', type: 'trial_started', context: { email: true, timezone: 'America/Los_Angeles', traits: { usage_events: 2 } } },
  { customer: 'ken', type: 'trial_started', context: { email: true, phone: '+14155550123', timezone: 'Asia/Tokyo' } },
  { customer: 'ken', type: 'subscription_started', afterMs: 1_000 },
  { customer: 'margaret', type: 'health_at_risk', properties: { score: 18 }, context: { email: true, traits: { plan: 'pro', first_name: 'Margaret' } } },
  { customer: 'dennis', type: 'health_at_risk', properties: { score: 31 }, context: { email: true, traits: { plan: 'free' } } },
  { customer: 'dennis', type: 'session_started', afterMs: 1_000 },
  { customer: 'edsger', type: 'health_at_risk', properties: { score: 55 } },
];

/** Sends the demo events; customer ids get `suffix` so the demo can run again. Returns the customer ids. */
export async function runDemo(client: Client, config: Config, say: (line: string) => void, suffix = randomUUID().slice(0, 6)): Promise<string[]> {
  const customers = new Set<string>();
  for (const step of SCRIPT) {
    if (step.afterMs) await new Promise((r) => setTimeout(r, step.afterMs));
    const customerId = `${step.customer}-${suffix}`;
    customers.add(customerId);
    const event: CustomerEvent = {
      messageId: randomUUID(),
      type: step.type,
      customerId,
      timestamp: new Date().toISOString(),
      properties: step.properties ?? {},
      ...(step.context ? { context: { ...step.context, email: step.context.email ? `${customerId}@example.com` : undefined } } : {}),
    };
    await submitEvent(client, config, event);
    say(`  ${step.type.padEnd(22)} ${customerId}`);
  }
  return [...customers];
}
