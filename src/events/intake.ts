import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { CustomerEvent } from './schema';
import { routerSettings } from '../settings';
import { CustomerId } from '../temporal/search-attributes';
import { customerWorkflowId, eventSignal } from '../../workflows/contract';
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
    args: [{ customerId: event.customerId, settings: routerSettings(config) }],
    signal: eventSignal,
    signalArgs: [event],
    typedSearchAttributes: [{ key: CustomerId, value: event.customerId }],
    staticSummary: `Event router of customer ${event.customerId}`,
  });
  return { workflowId };
}
