import { WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig } from '../config';
import { connectClient } from '../temporal/connect';
import { customerStateQuery, customerWorkflowId, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';

/** `waymark customer ID`: the per-customer view: routing decisions, then each journey's path. */
export async function customerCommand([customerId]: string[]): Promise<number> {
  if (!customerId) {
    console.error('usage: waymark customer CUSTOMER_ID');
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
  console.log(`Customer ${customerId}: ${router.eventsAccepted} events accepted, ${router.duplicatesIgnored} duplicates ignored`);
  console.log('\nRecent decisions:');
  for (const d of router.decisions) console.log(`  ${d.at}  ${d.type.padEnd(22)} ${(d.journeyId ?? '').padEnd(18)} ${d.outcome}`);
  for (const [journeyId, m] of Object.entries(router.journeys)) {
    const state = await client.workflow.getHandle(journeyWorkflowId(journeyId, customerId)).query(journeyStateQuery).catch(() => undefined);
    console.log(`\n${journeyId}@${m.version}: entered ${m.entries}x, ${state ? `${state.status}${state.reason ? ` (${state.reason})` : ''}` : 'run no longer queryable'}`);
    if (!state) continue;
    for (const p of state.path) console.log(`  ${p.at}  ${p.step.padEnd(22)} ${p.kind.padEnd(16)} ${p.outcome ?? '...'}`);
    if (state.waiting) console.log(`  waiting for ${state.waiting.kind === 'event' ? `"${state.waiting.event}"` : 'a timer'} until ${state.waiting.until}`);
  }
  return 0;
}
