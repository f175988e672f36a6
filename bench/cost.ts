import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

/** What a customer's workflows cost Temporal: history stored and billable actions. */
export interface Cost {
  runs: number;
  historyBytes: number;
  historyEvents: number;
  actions: number;
  /** Actions by kind, to show what drives them. */
  byKind: Record<string, number>;
}

export const emptyCost = (): Cost => ({ runs: 0, historyBytes: 0, historyEvents: 0, actions: 0, byKind: {} });

/**
 * Temporal Cloud's billable actions in one run's event history, by its published rules
 * (https://docs.temporal.io/cloud/actions, read 2026-11): a workflow start (client start,
 * signal-with-start, continue-as-new: counted on the new run's start event), each signal
 * received, each activity scheduled and each retry of it, all local activities of one workflow
 * task as one action (plus their retries; patch markers are not local activities), each timer
 * started, each search-attribute upsert (except one carrying only TemporalChangeVersion, i.e. a
 * patch), each update accepted, each options update, each Nexus operation scheduled or
 * cancelled, each reset. A child workflow start is two actions, counted on the parent.
 * Signal-with-start is one action in all. A signal sent to another workflow is counted in the
 * receiver's history. Not visible in a history and so not counted: queries, activity
 * heartbeats, failed or de-duplicated starts.
 */
export function billableActions(events: HistoryEvent[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  const add = (kind: string, n = 1) => n > 0 && (kinds[kind] = (kinds[kind] ?? 0) + n);
  const localActivityTasks = new Set<string>();
  events.forEach((e, i) => {
    switch (e.eventType) {
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        if (!e.workflowExecutionStartedEventAttributes?.parentWorkflowExecution) add('start');
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        // Right after the start event: the signal of a signal-with-start, one action with the start.
        if (!(i === 1 && events[0]?.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)) add('signal');
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        add('activity');
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activity retry', (e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        break;
      case T.EVENT_TYPE_MARKER_RECORDED: {
        const marker = e.markerRecordedEventAttributes;
        if (marker?.markerName === 'core_local_activity') localActivityTasks.add(String(marker.workflowTaskCompletedEventId));
        break;
      }
      case T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        add('local activity retry', e.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0);
        break;
      case T.EVENT_TYPE_TIMER_STARTED:
        add('timer');
        break;
      case T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const keys = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (keys.some((k) => k !== 'TemporalChangeVersion')) add('search attribute upsert');
        break;
      }
      case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('child workflow start', 2);
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('update');
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        add('options update');
        break;
      case T.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
      case T.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
        add('nexus');
        break;
      case T.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        if (e.workflowTaskFailedEventAttributes?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW) add('reset');
        break;
    }
  });
  add('local activities (per workflow task)', localActivityTasks.size);
  return kinds;
}

/** Adds every run of `workflowId` (continued-as-new runs included) to `cost`. */
export async function addWorkflowCost(client: Client, workflowId: string, cost: Cost): Promise<void> {
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const events = history.events ?? [];
    cost.runs++;
    cost.historyEvents += events.length;
    cost.historyBytes += run.historySize ?? temporal.api.history.v1.History.encode(history).finish().length;
    for (const [kind, n] of Object.entries(billableActions(events))) {
      cost.byKind[kind] = (cost.byKind[kind] ?? 0) + n;
      cost.actions += n;
    }
  }
}

/** The mean cost of the customers in `sample`, each owning the workflows `workflowIds(customer)`. */
export async function costPerCustomer(client: Client, sample: string[], workflowIds: (customerId: string) => string[]): Promise<Cost> {
  const total = emptyCost();
  for (const customerId of sample) {
    for (const id of workflowIds(customerId)) await addWorkflowCost(client, id, total);
  }
  const n = Math.max(1, sample.length);
  const mean = (v: number) => v / n;
  return {
    runs: mean(total.runs),
    historyBytes: mean(total.historyBytes),
    historyEvents: mean(total.historyEvents),
    actions: mean(total.actions),
    byKind: Object.fromEntries(Object.entries(total.byKind).map(([k, v]) => [k, mean(v)])),
  };
}
