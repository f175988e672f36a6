import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { CustomerEvent } from './schema';
import { routerSettings } from '../settings';
import { CustomerId } from '../temporal/search-attributes';
import { md } from '../temporal/markdown';
import { customerWorkflowId, eventSignalName } from '../../workflows/contract';
import type { customerWorkflow } from '../../workflows/customer';

/**
 * Hands one validated event to Temporal: signal-with-start of the customer's router. When this
 * resolves, Temporal has recorded the event durably; the router does the rest.
 */
export async function submitEvent(client: Client, config: Config, event: CustomerEvent): Promise<{ workflowId: string }> {
  const workflowId = customerWorkflowId(event.customerId);
  await client.workflow.signalWithStart<typeof customerWorkflow, [CustomerEvent]>('customerWorkflow', {
    workflowId,
    taskQueue: config.temporal.journeyTaskQueue,
    args: [{ v: 2, customerId: event.customerId, settings: routerSettings(config) }],
    // Named by the event's type, so the run's history reads as what the customer did.
    signal: eventSignalName(event.type),
    signalArgs: [event],
    typedSearchAttributes: [{ key: CustomerId, value: event.customerId }],
    staticSummary: `Events of customer ${md(event.customerId)}`,
  });
  return { workflowId };
}
