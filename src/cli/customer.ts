import type { Command } from 'commander';
import { loadConfig } from '../config';
import { connectClient } from '../temporal/connect';
import { createDeps } from '../runtime';
import { stateLabel } from '../channels/ledger';
import { CustomerEvent } from '../events/schema';
import { customerTimeline } from '../customers/timeline';
import type { PathEntry } from '../../workflows/contract';
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
  const deps = createDeps(config);
  try {
    const t = await customerTimeline({ client, profiles: deps.profiles, store: deps.store, catalog: deps.catalog, paths: deps.paths }, customerId);
    if (!t) {
      console.log(`No events have been received for customer "${customerId}".`);
      return 1;
    }
    console.log(`Customer ${customerId}: ${t.eventsAccepted} events accepted, ${t.duplicatesIgnored} duplicates ignored${t.conflicts ? `, ${t.conflicts} conflicting messageId reuses ignored` : ''}`);
    console.log('\nProfile (traits; contact fields under "contact"):');
    console.log(Object.keys(t.profile).length ? JSON.stringify(t.profile, null, 2).replace(/^/gm, '  ') : '  (empty)');
    console.log('\nMessages (the send ledger: intent, then outcome, per send key):');
    for (const s of t.messages) console.log(`  ${s.intentAt}  ${s.template.padEnd(30)} ${stateLabel(s.state)}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}${s.detail && s.state !== 'sent' ? `: ${s.detail}` : ''}`);
    if (!t.messages.length) console.log('  (none)');
    console.log('\nRecent decisions (entered, forwarded, and each journey not entered with the reason):');
    for (const d of t.decisions) console.log(`  ${d.at}  ${d.type.padEnd(22)} ${(d.journeyId ?? '').padEnd(18)} ${d.outcome}${d.meant ? ` (${d.meant})` : ''}`);
    for (const j of t.journeys) {
      const state = j.run;
      console.log(`\n${j.journeyId}@${j.version}: entered ${j.entries}x, ${state ? `${state.status}${state.reason ? ` (${state.reason})` : ''}` : j.ended}`);
      const steps = (path: PathEntry[]) => path.forEach((p) => console.log(`  ${p.at}  ${p.step.padEnd(22)} ${p.kind.padEnd(16)} ${p.outcome ?? '...'}`));
      if (state) steps(state.path);
      if (state?.waiting) console.log(`  waiting for ${state.waiting.kind === 'event' ? `"${state.waiting.event}"` : 'a timer'} until ${state.waiting.until}`);
      for (const e of j.past) {
        console.log(`  ${state || e !== j.past[0] ? 'earlier: ' : ''}entered ${e.enteredAt} (version ${e.version}), ${e.status}${e.reason ? ` (${e.reason})` : ''}${e.endedAt ? ` at ${e.endedAt}` : ''}`);
        steps(e.path);
      }
    }
    return 0;
  } finally {
    await deps.store.close();
  }
}
