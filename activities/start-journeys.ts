import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { firstStop } from '../src/journey/graph';
import { outline } from '../src/journey/outline';
import type { JourneyVersions } from '../src/journey/versions';
import { md } from '../src/temporal/markdown';
import { CustomerId, JourneyId, JourneyStatus, JourneyStep, JourneyVersion } from '../src/temporal/search-attributes';
import { journeyWorkflowId, type JourneyRunInput } from '../workflows/contract';

/**
 * Starts journey runs for a router, on the router's own task queue. A run of the same id that is
 * already open is reported "already-active", unless it was started for this very entry event
 * (this activity ran before and its result was lost), which counts as "started".
 */
export async function startJourneys(client: Client, versions: JourneyVersions, inputs: JourneyRunInput[]): Promise<Array<'started' | 'already-active'>> {
  const { taskQueue } = Context.current().info;
  return Promise.all(
    inputs.map(async (input) => {
      const journey = await versions.get(input.journeyId, input.version);
      const workflowId = journeyWorkflowId(input.journeyId, input.customerId);
      try {
        await client.workflow.start('journeyWorkflow', {
          workflowId,
          taskQueue,
          args: [input],
          // The run's first workflow task comes back in the start's answer, to this very worker.
          requestEagerStart: true,
          typedSearchAttributes: [
            { key: JourneyId, value: input.journeyId },
            { key: JourneyVersion, value: input.version },
            { key: CustomerId, value: input.customerId },
            { key: JourneyStep, value: firstStop(journey.steps, journey.start) },
            { key: JourneyStatus, value: 'active' },
          ],
          memo: { journeyName: journey.name, journeyVersion: input.version, entryMessageId: input.entry.messageId },
          staticSummary: `${md(journey.name)} · customer ${md(input.customerId)} · version ${input.version}`,
          staticDetails: `Entered on **${md(input.entry.type)}** (messageId ${md(input.entry.messageId)}) at ${md(input.entry.timestamp)}.\n\n\`\`\`\n${outline(journey, input.version).replaceAll('`', "'")}\n\`\`\``,
        });
        return 'started' as const;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) && (err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
        const { memo } = await client.workflow.getHandle(workflowId).describe();
        return memo?.entryMessageId === input.entry.messageId ? ('started' as const) : ('already-active' as const);
      }
    }),
  );
}
