import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { StageProgress } from '../../activities/pipeline/heartbeat';
import { progressQuery } from '../../workflows/pipeline/contract';

/** Where a running ingestion batch is: its step (the `progress` query) and, within a stage, what its last heartbeat says is done. */
export interface RunProgress {
  step: string;
  batchId?: string;
  /** Counts the workflow itself keeps (0/0 when it has none). */
  done: number;
  total: number;
  /** The stage under way, from its activity's last heartbeat (absent between stages, or before the first beat). */
  stage?: { done: string[]; total: number; running: string[]; attempt: number };
}

export async function runProgress(client: Client, workflowId: string): Promise<RunProgress> {
  const handle = client.workflow.getHandle(workflowId);
  const [query, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
  const out: RunProgress = { step: query.step, batchId: query.batchId, done: query.done, total: query.total };
  for (const pending of description.raw.pendingActivities ?? []) {
    const beat = pending.heartbeatDetails?.payloads?.[0];
    const details = beat ? defaultPayloadConverter.fromPayload<Partial<StageProgress<unknown>>>(beat) : undefined;
    if (details?.done && details.total !== undefined) {
      out.stage = { done: Object.keys(details.done), total: details.total, running: details.running ?? [], attempt: pending.attempt ?? 1 };
    }
  }
  return out;
}

/** One line for people: "load raw 3/9 (running ga360_hits), batch b1". */
export function progressLine(p: RunProgress): string {
  const stage = p.stage;
  const counts = p.total ? ` ${p.done}/${p.total}` : '';
  const within = stage ? ` ${stage.done.length}/${stage.total}${stage.running.length ? ` (running ${stage.running.join(', ')})` : ''}${stage.attempt > 1 ? `, attempt ${stage.attempt}` : ''}` : counts;
  return `${p.step}${within}, batch ${p.batchId ?? '?'}`;
}
