import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { connectClient } from '../temporal/connect';
import { createDeps } from '../runtime';
import { stateLabel } from '../channels/ledger';
import { CustomerEvent } from '../events/schema';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId, UNHEARD } from '../../workflows/contract';
import { knownEventTypes } from '../api/known-types';
import { closestType } from '../events/suggest';
import { registerEraseCommand } from './customer-erase';

export function registerCustomerCommand(program: Command): void {
  const customer = program
    .command('customer')
    .description('where a customer is in each journey, and why (what it entered, skipped, sent); `customer erase ID` erases one')
    .argument('<customerId>', 'the customerId its events carry')
    .addHelpText('after', '\nExits 1 when no event of that customer was received, 2 when the id is not one the event API accepts.\n\nExamples:\n  waymark customer ada-1f2e3d\n  waymark customer erase ada-1f2e3d --actor dpo@example.com')
    .action(async (customerId: string) => {
      process.exitCode = await customerCommand([customerId]);
    });
  registerEraseCommand(customer);
}

/** `waymark customer ID`: the per-customer view: routing decisions, then each journey's path. */
export async function customerCommand([customerId]: string[]): Promise<number> {
  if (!customerId) {
    console.error('usage: waymark customer CUSTOMER_ID');
    return 2;
  }
  const id = CustomerEvent.shape.customerId.safeParse(customerId);
  if (!id.success) {
    console.error(`waymark: "${customerId}" is not a customer id the event API accepts (${id.error.issues[0]!.message}), so no events can have been received for it.`);
    return 2;
  }
  const config = loadConfig();
  const client = await connectClient(config);
  let router;
  try {
    router = await client.workflow.getHandle(customerWorkflowId(customerId)).query(customerStateQuery);
  } catch (err) {
    if ((err as Error).name !== WorkflowNotFoundError.name) throw err;
    console.log(`No events have been received for customer "${customerId}".`);
    return 1;
  }
  console.log(`Customer ${customerId}: ${router.eventsAccepted} events accepted, ${router.duplicatesIgnored} duplicates ignored${router.conflicts ? `, ${router.conflicts} conflicting messageId reuses ignored` : ''}`);
  const deps = createDeps(config);
  const profile = await deps.profiles.get(customerId);
  console.log('\nProfile (traits; contact fields under "contact"):');
  console.log(Object.keys(profile).length ? JSON.stringify(profile, null, 2).replace(/^/gm, '  ') : '  (empty)');
  const known = knownEventTypes(await deps.catalog.current());
  const sends = await deps.ledger.forCustomer(customerId);
  console.log('\nMessages (the send ledger: intent, then outcome, per send key):');
  for (const s of sends) console.log(`  ${s.intentAt}  ${s.template.padEnd(30)} ${stateLabel(s.state)}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}${s.detail && s.state !== 'sent' ? `: ${s.detail}` : ''}`);
  if (!sends.length) console.log('  (none)');
  await deps.store.close();
  console.log('\nRecent decisions (entered, forwarded, and each journey not entered with the reason):');
  for (const d of router.decisions) console.log(`  ${d.at}  ${d.type.padEnd(22)} ${(d.journeyId ?? '').padEnd(18)} ${d.outcome}${d.outcome === UNHEARD ? meant(d.type, known) : ''}`);
  for (const [journeyId, m] of Object.entries(router.journeys)) {
    const state = await client.workflow.getHandle(journeyWorkflowId(journeyId, customerId)).query(journeyStateQuery).catch(() => undefined);
    const ended = m.lastReason ? `${m.lastStatus}: ${m.lastReason}` : 'run no longer queryable';
    console.log(`\n${journeyId}@${m.version}: entered ${m.entries}x, ${state ? `${state.status}${state.reason ? ` (${state.reason})` : ''}` : ended}`);
    if (!state) continue;
    for (const p of state.path) console.log(`  ${p.at}  ${p.step.padEnd(22)} ${p.kind.padEnd(16)} ${p.outcome ?? '...'}`);
    if (state.waiting) console.log(`  waiting for ${state.waiting.kind === 'event' ? `"${state.waiting.event}"` : 'a timer'} until ${state.waiting.until}`);
  }
  return 0;
}

/** For an event no journey took: the published event type it was probably meant to be. */
function meant(type: string, known: ReadonlySet<string>): string {
  const closest = closestType(type, known);
  return closest ? ` (did you mean "${closest}"?)` : known.size ? ' (no published journey uses it)' : '';
}
