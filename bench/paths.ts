import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../src/config';
import { EVENTS_SCOPE } from '../src/api/app';
import type { CustomerEvent } from '../src/events/schema';
import { customerWorkflowId, journeyWorkflowId } from '../workflows/contract';
import type { BaselineInput } from './baseline-workflow';
import { jsonPoster } from './http-client';
import { histogram, scrape } from './metrics';
import { pool } from './phase';
import { baselineTimes, countBaselineRecords, countFirstMessages, firstMessageTimes } from './records';
import type { Stack, WorkerProcess } from './stack';

/** One way of enrolling customers, as the bench drives and watches it. */
export interface Path {
  name: string;
  worker: WorkerProcess;
  /** Hands one customer over; records when it was accepted (202 / start returned) in `accepted`. */
  enrolOne(customerId: string, accepted: Map<string, number>): Promise<void>;
  /** Hands many over, as fast as the path's concurrency allows. */
  enrolMany(customerIds: string[], accepted: Map<string, number>): Promise<void>;
  /**
   * Customers done and parked since the server started (the caller subtracts a phase's start).
   * With `doneTarget`, a path whose parked count costs the server work (a visibility query) may
   * skip it, and repeat its last figure, until `done` reaches the target: the bench must not
   * load the server it measures while customers are still being enrolled.
   */
  counts(doneTarget?: number): Promise<{ done: number; parked: number }>;
  /** When each customer whose id starts with `prefix` was done. */
  doneTimes(prefix: string): Promise<Map<string, number>>;
  /** The workflows a customer costs Temporal. */
  workflowIds(customerId: string): string[];
  close(): void;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `attempt` after WAYMARK_BENCH_RETRY_PAUSE while it answers why not now (a string), until `deadline`. */
async function untilAccepted(attempt: () => Promise<true | string>, config: Config, deadline: number, what: string): Promise<void> {
  for (;;) {
    const outcome = await attempt();
    if (outcome === true) return;
    if (Date.now() > deadline) throw new Error(`${what}: still refused at WAYMARK_BENCH_TIMEOUT (${outcome})`);
    await pause(config.bench.retryPauseMs);
  }
}

/**
 * The bare Temporal client: a start of the baseline workflow per customer. Done when its record
 * is written; parked once the baseline worker has completed two workflow tasks per run (the
 * first schedules the activity, the second starts the timer), from the worker's SDK metrics.
 */
export function barePath(stack: Stack, worker: WorkerProcess, deadline: number): Path {
  const { config, client } = stack;
  const input = (customerId: string): BaselineInput => ({ customerId, startToCloseMs: config.activity.startToCloseMs, parkMs: config.bench.baselineParkMs });
  const enrolOne = (customerId: string, accepted: Map<string, number>) =>
    untilAccepted(
      async () => {
        try {
          await client.workflow.start('baselineWorkflow', { taskQueue: worker.taskQueue, workflowId: `baseline/${customerId}`, args: [input(customerId)] });
        } catch (err) {
          // A start that timed out on our side may have happened; its retry then finds it.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return (err as Error).message;
        }
        accepted.set(customerId, Date.now());
        return true;
      },
      config,
      deadline,
      `starting baseline/${customerId}`,
    );
  return {
    name: 'baseline',
    worker,
    enrolOne,
    enrolMany: (ids, accepted) => pool(ids, config.bench.concurrency, (id) => enrolOne(id, accepted)),
    async counts() {
      const done = await countBaselineRecords(stack.store);
      const tasks = histogram(await scrape(worker.metricsUrl), undefined, 'temporal_workflow_task_execution_latency')?.count;
      return { done, parked: tasks === undefined ? done : Math.min(done, Math.floor(tasks / 2)) };
    },
    doneTimes: (prefix) => baselineTimes(stack.store, prefix),
    workflowIds: (customerId) => [`baseline/${customerId}`],
    close: () => undefined,
  };
}

interface BatchAnswer {
  results?: Array<{ index: number; status: string; error?: { code: string; message: string } }>;
  error?: { code: string; message: string };
}
/** Refusals that say "not now": the bench sends those events again. */
const RETRIABLE = new Set(['TEMPORAL_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_ERROR']);

/**
 * The event API: a `signed_up` event per new customer, which enters onboarding. Done when the
 * welcome email is in the store's local_messages; parked when the run's search attributes say it waits in
 * `first_day`.
 */
export function apiPath(stack: Stack, worker: WorkerProcess, apiUrl: string, deadline: number): Path {
  const { config, client } = stack;
  const key = config.api.apiKeys.find((k) => k.scopes.includes(EVENTS_SCOPE))?.key;
  if (!key) throw new Error(`WAYMARK_API_KEYS has no key with the "${EVENTS_SCOPE}" scope`);
  const poster = jsonPoster(apiUrl, { authorization: `Bearer ${key}` }, config.bench.batchConcurrency + config.bench.concurrency);
  const event = (customerId: string): CustomerEvent => ({ messageId: `${customerId}-signup`, type: 'signed_up', customerId, timestamp: new Date().toISOString(), properties: {} });
  let lastParked = 0;

  /** Posts `ids` as one batch; returns the ids to send again, and why. */
  async function postBatch(ids: string[], accepted: Map<string, number>): Promise<{ again: string[]; why: string }> {
    const { status, body } = await poster.post('/v1/events/batch', { events: ids.map(event) });
    const answer = JSON.parse(body) as BatchAnswer;
    if (!answer.results) {
      if (RETRIABLE.has(answer.error?.code ?? '') || status === 429 || status >= 500) return { again: ids, why: `${status} ${answer.error?.code}` };
      throw new Error(`POST /v1/events/batch answered ${status}: ${body.slice(0, 500)}`);
    }
    const now = Date.now();
    const again: string[] = [];
    let why = '';
    for (const r of answer.results) {
      const id = ids[r.index]!;
      // A duplicate was handed over before (a resend after an answer the bench did not get).
      if (r.status === 'accepted' || r.status === 'duplicate') {
        if (!accepted.has(id)) accepted.set(id, now);
      } else if (RETRIABLE.has(r.error?.code ?? '')) {
        again.push(id);
        why = r.error!.code;
      } else {
        throw new Error(`event for ${id} refused: ${r.error?.code} ${r.error?.message}`);
      }
    }
    return { again, why };
  }

  const sendBatch = async (ids: string[], accepted: Map<string, number>) => {
    let pending = ids;
    await untilAccepted(
      async () => {
        const { again, why } = await postBatch(pending, accepted);
        pending = again;
        return again.length === 0 || `${again.length} refused for now: ${why}`;
      },
      config,
      deadline,
      `a batch of ${ids.length} events`,
    );
  };
  const batches = (ids: string[]) => Array.from({ length: Math.ceil(ids.length / config.bench.batchSize) }, (_, i) => ids.slice(i * config.bench.batchSize, (i + 1) * config.bench.batchSize));
  return {
    name: 'waymark',
    worker,
    enrolOne: (customerId, accepted) =>
      untilAccepted(
        async () => {
          const { status, body } = await poster.post('/v1/events', event(customerId));
          if (status === 429 || status >= 500) return `${status} ${body.slice(0, 200)}`;
          // 200 is a duplicate: handed over before, by a request whose answer the bench did not get.
          if (status !== 202 && status !== 200) throw new Error(`POST /v1/events answered ${status}: ${body.slice(0, 500)}`);
          accepted.set(customerId, Date.now());
          return true;
        },
        config,
        deadline,
        `the event for ${customerId}`,
      ),
    enrolMany: (ids, accepted) => pool(batches(ids), config.bench.batchConcurrency, (batch) => sendBatch(batch, accepted)),
    async counts(doneTarget?: number) {
      const done = await countFirstMessages(stack.store);
      if (doneTarget === undefined || done >= doneTarget) {
        ({ count: lastParked } = await client.workflow.count(`JourneyId = 'onboarding' AND JourneyStep = 'first_day' AND JourneyStatus = 'active' AND ExecutionStatus = 'Running'`));
      }
      return { done, parked: lastParked };
    },
    doneTimes: (prefix) => firstMessageTimes(stack.store, prefix),
    workflowIds: (customerId) => [customerWorkflowId(customerId), journeyWorkflowId('onboarding', customerId)],
    close: () => poster.close(),
  };
}
