import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { progressQuery } from '../../workflows/pipeline/contract';

/** What an activity under way last said in its heartbeat. */
export interface StepUnderWay {
  step: string;
  /** Sources, models or checks done; rows for the outbox steps; absent for a single statement (publish). */
  done?: number;
  /** Absent for the outbox steps (their size is in the run's counts). */
  total?: number;
  running: string[];
  attempt: number;
}

/** Where a running ingestion batch is: its step (the `progress` query) and what its activities under way last said. */
export interface RunProgress {
  step: string;
  batchId?: string;
  /** Counts the workflow itself keeps (0/0 when it has none). */
  done: number;
  total: number;
  underWay: StepUnderWay[];
}

/** A heartbeat's details: a stage's ({done: {item: result}, total, running}) or an outbox walk's ({done: rows}). */
function stepOf(details: unknown, attempt: number): StepUnderWay | undefined {
  const d = details as { step?: unknown; done?: unknown; total?: unknown; running?: unknown } | undefined;
  if (typeof d?.step !== 'string') return undefined;
  const done = typeof d.done === 'number' ? d.done : d.done && typeof d.done === 'object' ? Object.keys(d.done).length : undefined;
  const running = Array.isArray(d.running) ? d.running.map(String) : [];
  return { step: d.step, done, total: typeof d.total === 'number' ? d.total : undefined, running, attempt };
}

export async function runProgress(client: Client, workflowId: string): Promise<RunProgress> {
  const handle = client.workflow.getHandle(workflowId);
  const [query, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
  const underWay = (description.raw.pendingActivities ?? []).flatMap((pending) => {
    const beat = pending.heartbeatDetails?.payloads?.[0];
    return stepOf(beat ? defaultPayloadConverter.fromPayload(beat) : undefined, pending.attempt ?? 1) ?? [];
  });
  return { step: query.step, batchId: query.batchId, done: query.done, total: query.total, underWay };
}

/** One line for people: "load raw 3/9 (running ga360_hits), batch b1". */
export function progressLine(p: RunProgress): string {
  const said = (s: StepUnderWay) => {
    const count = s.done === undefined ? '' : s.total === undefined ? ` ${s.done.toLocaleString('en-US')} done` : ` ${s.done}/${s.total}`;
    return `${count}${s.running.length ? ` (running ${s.running.join(', ')})` : ''}${s.attempt > 1 ? `, attempt ${s.attempt}` : ''}`;
  };
  const [only] = p.underWay;
  let where: string;
  if (p.underWay.length === 1 && only!.step === p.step) where = `${p.step}${said(only!)}`;
  else if (p.underWay.length) where = `${p.step}: ${p.underWay.map((s) => `${s.step}${said(s)}`).join('; ')}`;
  else where = `${p.step}${p.total ? ` ${p.done}/${p.total}` : ''}`;
  return `${where}, batch ${p.batchId ?? '?'}`;
}
