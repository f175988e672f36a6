import type { Command } from 'commander';
import { CustomerEvent } from '../events/schema';
import { eraseCustomer } from '../erasure/erase';
import { Store } from '../store/store';
import { connectClient } from '../temporal/connect';
import { withActor } from './actor';

/** `waymark customer erase ID`: a customer's data out of Temporal and the store, on request. */
export function registerEraseCommand(customer: Command): void {
  customer
    .command('erase')
    .description('erase a customer on request: their runs in Temporal, their rows in the warehouse, their profile, messages and send records in the store')
    .argument('<customerId>', 'the customerId their events carry')
    .option('--actor <name>', 'who asked, for the erasure record (default: WAYMARK_ACTOR, else user@host)')
    .addHelpText(
      'after',
      [
        '',
        "Deletes every run of the customer's router and journeys from Temporal (running ones are",
        'terminated first); their rows in the warehouse (raw exports, models, checks), found by the id',
        "and the profile's email; their profile, send ledger rows, local messages and linked anonymous",
        'ids from the store; and records the erasure (who, when, what; the id only as a SHA-256).',
        'Idempotent: run it again to check that nothing is left, or to finish one that failed half way.',
        'A later event from the same id starts afresh (docs/operations.md, "Erasing a customer").',
        '',
        'Example:',
        '  waymark customer erase ada-1f2e3d --actor dpo@example.com',
      ].join('\n'),
    )
    .action(async (customerId: string, options: { actor?: string }) => {
      process.exitCode = await eraseCommand(customerId, options.actor);
    });
}

async function eraseCommand(customerId: string, actorOption: string | undefined): Promise<number> {
  const id = CustomerEvent.shape.customerId.safeParse(customerId);
  if (!id.success) {
    console.error(`waymark: "${customerId}" is not a customer id the event API accepts (${id.error.issues[0]!.message}): nothing can be stored under it.`);
    return 2;
  }
  const config = withActor(actorOption);
  if (!config) return 2;
  const client = await connectClient(config);
  const store = new Store(config);
  try {
    const report = await eraseCustomer(client, config, store, customerId, config.actor);
    const { runs, store: rows, warehouse } = report;
    const warehouseRows = Object.values(warehouse).reduce((a, b) => a + b, 0);
    const removed = runs.length + report.dataKeys + rows.profiles + rows.sends + rows.messages + rows.identityLinks + rows.features + rows.audiences + rows.enrolments + warehouseRows;
    console.log(`Customer ${customerId}${removed ? ' erased' : ': nothing left to erase'} (by ${config.actor}${report.erasedBefore ? `; erased ${report.erasedBefore} time(s) before` : ''}):`);
    if (report.anonymous) console.log(`  with the ${report.anonymous} anonymous customer(s) linked to them (their events before they identified themselves)`);
    console.log(`  Temporal  ${runs.length} run(s) deleted${runs.length ? `: ${[...new Set(runs.map((r) => r.workflowId))].join(', ')}` : ''}`);
    if (report.dataKeys) console.log(`  Temporal  ${report.dataKeys} data key(s) destroyed: what stays of them in Temporal's histories can no longer be decrypted`);
    console.log(`  store     ${rows.profiles} profile(s), ${rows.sends} send record(s), ${rows.messages} local message(s), ${rows.identityLinks} linked anonymous id(s), ${rows.features} set(s) of model features, ${rows.audiences} audience membership(s), ${rows.enrolments} journey enrolment(s) with their paths`);
    console.log(`  warehouse ${warehouseRows} row(s)${warehouseRows ? `: ${Object.entries(warehouse).map(([table, n]) => `${table} ${n}`).join(', ')}` : ''}`);
    return 0;
  } finally {
    await store.close();
    await client.connection.close();
  }
}
