import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { InternalWorkflowStartOptionsSymbol } from '@temporalio/client/lib/internal';
import { firstStop } from '../src/journey/graph';
import { splitAssignments } from '../src/journey/split';
import { outline } from '../src/journey/outline';
import type { JourneyVersions } from '../src/journey/versions';
import { md } from '../src/temporal/markdown';
import { CustomerId, JourneyId, JourneySplits, JourneyStatus, JourneyStep, JourneyVersion } from '../src/temporal/search-attributes';
import { composeKey, journeyWorkflowId, type JourneyRunInput } from '../workflows/contract';

/**
 * The start's request id, the same for every attempt of one decision to start (`startKey` names
 * the router's run and the event it handled; the journey completes it): Temporal answers a repeated
 * start with the run that request started, open or already closed, instead of starting another.
 */
function startRequestId(startKey: string, journeyId: string): string {
  const hex = createHash('sha256').update(composeKey(startKey, journeyId)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Starts journey runs for a router, on the router's own task queue. A router whose workflow task
 * is retried (its worker was killed or too slow) runs this again for the same event: with its
 * `startKey` the repeated start is the same request to Temporal, which gives back the run it
 * started, even one that has ended meanwhile; without a key (routers before version 2) a run
 * that has ended would be started a second time. A run of the same id that is open is reported
 * "already-active", unless it was started for this very entry event, which counts as "started".
 */
export async function startJourneys(client: Client, versions: JourneyVersions, inputs: JourneyRunInput[], startKey?: string): Promise<Array<'started' | 'already-active'>> {
  const { taskQueue } = Context.current().info;
  return Promise.all(
    inputs.map(async (input) => {
      const journey = await versions.get(input.journeyId, input.version);
      const workflowId = journeyWorkflowId(input.journeyId, input.customerId);
      const splits = splitAssignments(input.journeyId, journey.steps, input.customerId);
      try {
        await client.workflow.start('journeyWorkflow', {
          // An SDK-internal option (pinned SDK; tests/integration/start-journeys.test.ts fails if it stops working).
          ...(startKey ? { [InternalWorkflowStartOptionsSymbol]: { requestId: startRequestId(startKey, input.journeyId) } } : {}),
          workflowId,
          taskQueue,
          // The definition travels with the input: the run starts without loading it.
          args: [{ ...input, definition: journey }],
          // The run's first workflow task comes back in the start's answer, to this very worker.
          requestEagerStart: true,
          typedSearchAttributes: [
            { key: JourneyId, value: input.journeyId },
            { key: JourneyVersion, value: input.version },
            { key: CustomerId, value: input.customerId },
            { key: JourneyStep, value: firstStop(journey.steps, journey.start) },
            { key: JourneyStatus, value: 'active' },
            ...(splits.length ? [{ key: JourneySplits, value: splits }] : []),
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
