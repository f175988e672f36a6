import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { customerWorkflowId, journeyWorkflowId } from '../../workflows/contract';

/** A run deleted from Temporal: the workflow id and run id. */
export interface DeletedRun {
  workflowId: string;
  runId: string;
}

/**
 * The customer's workflows: the router, and a run id per journey ever published (journey runs
 * are `journey/<journeyId>/<customerId>`); any other workflow visibility lists under the
 * customer's CustomerId search attribute, when the id can be quoted in a visibility query.
 */
async function workflowIdsOf(client: Client, customerId: string, journeyIds: readonly string[]): Promise<string[]> {
  const ids = new Set([customerWorkflowId(customerId), ...journeyIds.map((j) => journeyWorkflowId(j, customerId))]);
  const quote = !customerId.includes("'") ? "'" : !customerId.includes('"') ? '"' : undefined;
  if (quote) for await (const run of client.workflow.list({ query: `CustomerId = ${quote}${customerId}${quote}` })) ids.add(run.workflowId);
  return [...ids];
}

/**
 * Deletes every run of the customer's workflows from Temporal (DeleteWorkflowExecution: a running
 * one is terminated first; its history is removed from the cluster, not only closed). Deletion
 * is asynchronous on the server: a workflow id is done when describing it finds nothing, or finds
 * only runs already deleted, for `timeoutMs`.
 */
export async function deleteCustomerRuns(client: Client, namespace: string, customerId: string, journeyIds: readonly string[], timeoutMs: number, pollMs = 200): Promise<DeletedRun[]> {
  const deleted: DeletedRun[] = [];
  const deadline = Date.now() + timeoutMs;
  for (const workflowId of await workflowIdsOf(client, customerId, journeyIds)) {
    const mine = new Set<string>();
    for (;;) {
      const described = await client.workflow.getHandle(workflowId).describe().catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
      if (!described) break;
      if (!mine.has(described.runId)) {
        await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId: described.runId } }).catch((err: unknown) => {
          if ((err as { code?: number }).code !== 5) throw err; // NOT_FOUND: deleted meanwhile
        });
        mine.add(described.runId);
        deleted.push({ workflowId, runId: described.runId });
      } else if (Date.now() > deadline) {
        throw new Error(`Temporal has not finished deleting ${workflowId} (run ${described.runId}) after ${Math.round(timeoutMs / 1000)} s (WAYMARK_ERASE_TIMEOUT): run the erasure again; it goes on from there`);
      } else {
        await sleep(pollMs);
      }
    }
  }
  return deleted;
}
