import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Store } from '../../src/store/store';
import { JourneyStep } from '../../src/temporal/search-attributes';
import { customerWorkflowId, journeyWorkflowId } from '../../workflows/contract';

/** What the run asks Temporal and the send ledger once it is over: second runs, and why a customer has no message. */

/** The journey every new customer enters on signed_up. */
export const JOURNEY = 'onboarding';

export interface SecondRun {
  workflowId: string;
  entryMessageId: string;
  runIds: string[];
}

export interface JourneyRuns {
  /** Runs in the server's list, and the workflow ids they belong to: what "second runs" was counted over. */
  runs: number;
  workflowIds: number;
  /** Workflow ids with more than one run for one entry event. */
  repeated: SecondRun[];
}

/**
 * Journey workflow ids (journey/onboarding/<customer>) with more than one run for the same entry
 * event (the memo's entryMessageId, which startJourneys writes): one customer entered twice on
 * one event. From the server's list of journey runs (the scenario's dev server holds only its own).
 */
export async function journeyRuns(client: Client, customerPrefix: string): Promise<JourneyRuns> {
  const runs = new Map<string, Array<{ runId: string; entry: string }>>();
  const prefix = journeyWorkflowId(JOURNEY, customerPrefix);
  let listed = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowType = 'journeyWorkflow'` })) {
    if (!wf.workflowId.startsWith(prefix)) continue;
    listed++;
    runs.set(wf.workflowId, [...(runs.get(wf.workflowId) ?? []), { runId: wf.runId, entry: String(wf.memo?.entryMessageId ?? '(no entryMessageId in the memo)') }]);
  }
  const repeated = [...runs].flatMap(([workflowId, list]) => {
    const byEntry = new Map<string, typeof list>();
    for (const r of list) byEntry.set(r.entry, [...(byEntry.get(r.entry) ?? []), r]);
    return [...byEntry].filter(([, rs]) => rs.length > 1).map(([entryMessageId, rs]) => ({ workflowId, entryMessageId, runIds: rs.map((r) => r.runId) }));
  });
  return { runs: listed, workflowIds: runs.size, repeated };
}

export interface Unreached {
  customerId: string;
  /** stuck: something open may still send it; lost: nothing will. */
  verdict: 'stuck' | 'lost';
  why: string;
}

/**
 * Why each of `customerIds` (no message at the deadline) has none. Stuck when something may still
 * send it: the send was not given up in the ledger, and its journey run (or, before there is one,
 * its router) is running with a workflow task or an activity pending. Lost otherwise: the ledger
 * gave the send up (failed, unknown), the run ended or went on to its next step without it, or
 * nothing started a run and nothing is pending that would.
 */
export async function classifyUnreached(client: Client, customerIds: string[], ledger: LedgerRow[]): Promise<Unreached[]> {
  const out: Unreached[] = [];
  for (const customerId of customerIds) {
    const givenUp = ledger.find((r) => r.customerId === customerId && (r.state === 'failed' || r.state === 'unknown'));
    const run = await describe(client, journeyWorkflowId(JOURNEY, customerId));
    const router = run ? undefined : await describe(client, customerWorkflowId(customerId));
    const open = run ?? router;
    const busy = open?.status.name === 'RUNNING' && ((open.raw.pendingActivities?.length ?? 0) > 0 || !!open.raw.pendingWorkflowTask);
    const where = run
      ? `${run.workflowId} run ${run.runId} is ${run.status.name}${run.status.name === 'RUNNING' ? ` at step ${run.typedSearchAttributes.get(JourneyStep) ?? '?'}` : ''}${pending(run)}`
      : router
        ? `no journey run; its router ${router.workflowId} run ${router.runId} is ${router.status.name}${pending(router)}`
        : 'no journey run and no router: the event never reached Temporal';
    out.push({ customerId, verdict: busy && !givenUp ? 'stuck' : 'lost', why: `${where}${givenUp ? `; the ledger gave the send up (${givenUp.state})` : busy ? '' : '; nothing pending would send it'}` });
  }
  return out;
}

async function describe(client: Client, workflowId: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** What the run has pending: a workflow task (no worker took it yet, or it fails), activities with their attempts and last failure. */
function pending(d: WorkflowExecutionDescription): string {
  const activities = d.raw.pendingActivities ?? [];
  const task = d.raw.pendingWorkflowTask ? `; a workflow task pending (attempt ${d.raw.pendingWorkflowTask.attempt})` : '';
  if (!activities.length) return task;
  return `${task}; pending ${activities.map((a) => `${a.activityType?.name} (attempt ${a.attempt}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message.slice(0, 200)}` : ''})`).join(', ')}`;
}

export interface LedgerRow {
  customerId: string;
  state: string;
  attempts: number;
  runId: string;
  detail: string | null;
}

/** The send ledger's entries for the scenario's customers: each send key's state and attempts. */
export async function ledgerRows(store: Store, customerPrefix: string): Promise<LedgerRow[]> {
  const { rows } = await store.query<{ customer_id: string; state: string; attempts: number; run_id: string; detail: string | null }>(
    'SELECT customer_id, state, attempts, run_id, detail FROM send_ledger WHERE starts_with(customer_id, $1)',
    [customerPrefix],
  );
  return rows.map((r) => ({ customerId: r.customer_id, state: r.state, attempts: r.attempts, runId: r.run_id, detail: r.detail }));
}
