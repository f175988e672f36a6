import type { Command } from 'commander';
import { loadConfig } from '../config';
import { explainHealth, findCustomer, type CustomerHealthExplained } from '../warehouse/explain';
import { openWarehouse } from '../warehouse/open';

/** `waymark warehouse`: what the published warehouse says, read-only. */
export function registerWarehouseCommand(program: Command): void {
  const warehouse = program
    .command('warehouse')
    .description('what the published warehouse says about a customer (read-only; the DuckDB file is opened between batches)')
    .addHelpText('after', '\nExamples:\n  waymark warehouse customer ana@acme.test');
  warehouse
    .command('customer')
    .description("why a customer's health is what it is: each warning sign and its penalty, their lifecycle stage, the batch behind it, the identity keys that make them one person")
    .argument('<key>', 'a customer id (cus_...), an email, or an id a source carries (Salesforce contact or lead id, shop customer id)')
    .addHelpText('after', '\nExits 1 when the published warehouse has no such customer.\n\nExamples:\n  waymark warehouse customer ana@acme.test\n  waymark warehouse customer cus_184fa7641b3bbe70\n  waymark warehouse customer 003A1')
    .action(async (key: string) => {
      process.exitCode = await customerHealth(key);
    });
}

async function customerHealth(key: string): Promise<number> {
  const config = loadConfig();
  const warehouse = await openWarehouse(config, { readOnly: true });
  try {
    const ids = await findCustomer(warehouse, key).catch((err: Error) => {
      // A warehouse that never published has no served tables yet.
      if (/does not exist|not found/i.test(err.message)) return [];
      throw err;
    });
    if (!ids.length) {
      console.log(`No customer "${key}" in the published warehouse (an email, a cus_ id, or a Salesforce or shop id; waymark schedules list shows the last batches).`);
      return 1;
    }
    if (ids.length > 1) console.log(`"${key}" is a key of ${ids.length} customers: ${ids.join(', ')}\n`);
    for (const id of ids) {
      const explained = await explainHealth(warehouse, id);
      if (explained) print(explained);
    }
    return 0;
  } finally {
    await warehouse.close();
  }
}

function print(c: CustomerHealthExplained): void {
  console.log(`Customer ${c.customerId} (${c.email}), as of ${c.asOf}${c.batchId ? `, published by batch ${c.batchId}` : ''}`);
  console.log(`  lifecycle  ${c.lifecycleStage ?? 'unknown'}${c.lifecycleStage === 'lead' || c.lifecycleStage === 'trial' ? ' (never paid: a prospect, never at risk)' : ''}`);
  console.log(`  health     ${c.score} ${c.category}${c.reasons ? `: ${c.reasons}` : ''}`);
  console.log('  100, less:');
  for (const s of c.signs) console.log(`    ${String(s.penalty).padStart(3)}  ${s.sign.padEnd(11)} ${s.measured}`);
  if (c.lastSeen) {
    const batch = c.lastSeen.batchId ? `, batch ${c.lastSeen.batchId}${c.lastSeen.batchAsOf ? ` (export of ${c.lastSeen.batchAsOf})` : ''}` : '';
    console.log(`  last seen  ${c.lastSeen.at} in ${c.lastSeen.source}${batch}`);
  } else {
    console.log('  last seen  never (no event before the as-of date)');
  }
  console.log(`  identity   ${c.keys.length} keys: ${c.keys.join(', ')}`);
}
