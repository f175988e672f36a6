import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Journey } from '../src/journey/schema';
import { CustomerId, JourneyId, JourneySplits, JourneyStatus, JourneyStep, JourneyVersion } from '../src/temporal/search-attributes';
import { composeKey, journeyWorkflowId } from '../workflows/contract';
import { fillerRun, type Fate, type FillerRun } from './console-model';
import { pool } from './phase';
import type { Stack } from './stack';

/** Where the filler runs go: `parked` is polled by no worker (its runs stay Running), `closing` by the closer worker. */
export interface FillQueues {
  parked: string;
  closing: string;
}

export interface FillResult {
  fates: Record<Fate, number>;
  store: { seconds: number; enrolments: number; pathRows: number; ledgerRows: number };
  visibility: { seconds: number; startsPerSecond: number; closeWaitSeconds: number };
}

const fmt = (n: number) => n.toLocaleString('en-US');
/** Customers the store fill writes per statement (a few thousand rows each). */
const STORE_CHUNK = 2_000;

/** Prints "what: done/total (pct%), rate/s" on stderr each time another tenth is done; the rate counts from the first call. */
function tenths(what: string, total: number): (done: number) => void {
  const started = Date.now();
  let first: number | undefined;
  let next = 1;
  return (done) => {
    first ??= done;
    if (done < Math.ceil((next * total) / 10)) return;
    while (done >= Math.ceil((next * total) / 10) && next <= 10) next++;
    const seconds = (Date.now() - started) / 1000;
    console.error(`${what}: ${fmt(done)}/${fmt(total)} (${Math.floor((done * 100) / total)}%), ${((done - first) / Math.max(seconds, 0.001)).toFixed(0)}/s`);
  };
}

/** The filler customers of a run: ids unique to it, the same walk for the same index. */
export function fillerRuns(journey: Journey, prefix: string, n: number, now = Date.now()): FillerRun[] {
  return Array.from({ length: n }, (_, i) => fillerRun(journey, `${prefix}${i}`, i, now));
}

/**
 * The store's share: the rows the runs would have written (src/store/journey-paths.ts, the send
 * ledger), in statements of STORE_CHUNK customers through unnest. A terminated run never records
 * its end, so its enrolment stays "active" there, as in production.
 */
export async function fillStore(stack: Stack, journeyId: string, version: string, runs: FillerRun[]): Promise<FillResult['store']> {
  const started = Date.now();
  const progress = tenths('store fill, customers', runs.length);
  let pathRows = 0;
  let ledgerRows = 0;
  // Where a run ended (the results' converted and exited per step), once the store keeps it.
  const endedStep = (await stack.store.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'journey_enrolments' AND column_name = 'ended_step'")).rowCount === 1;
  for (let from = 0; from < runs.length; from += STORE_CHUNK) {
    const chunk = runs.slice(from, from + STORE_CHUNK);
    const entryId = (r: FillerRun) => `${r.customerId}-entry`;
    const ended = (r: FillerRun) => r.fate !== 'active' && r.fate !== 'other';
    await stack.store.query(
      `INSERT INTO journey_enrolments (journey_id, customer_id, entry_id, version, entered_at, status, reason, ended_at, messages_sent${endedStep ? ', ended_step' : ''})
       SELECT $1, c, e, $2, t, s, r, x, m${endedStep ? ', es' : ''} FROM unnest($3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::timestamptz[], $9::int[], $10::text[]) AS u(c, e, t, s, r, x, m, es)`,
      [
        journeyId,
        version,
        chunk.map((r) => r.customerId),
        chunk.map(entryId),
        chunk.map((r) => r.enteredAt),
        chunk.map((r) => (ended(r) ? r.fate : 'active')),
        chunk.map((r) => (ended(r) ? `bench: ${r.fate}` : null)),
        chunk.map((r) => (ended(r) ? r.path[r.path.length - 1]!.at : null)),
        chunk.map((r) => r.path.filter((s) => s.send).length),
        chunk.map((r) => (ended(r) ? r.path[r.path.length - 1]!.step : null)),
      ],
    );
    const steps = chunk.flatMap((r) => r.path.map((s, seq) => ({ r, s, seq })));
    await stack.store.query(
      `INSERT INTO journey_path (journey_id, customer_id, entry_id, version, entered_at, seq, step, kind, visit, at, outcome)
       SELECT $1, c, e, $2, t, q, s, k, 1, a, nullif(o, '') FROM unnest($3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::text[], $8::text[], $9::timestamptz[], $10::text[]) AS u(c, e, t, q, s, k, a, o)`,
      [
        journeyId,
        version,
        steps.map(({ r }) => r.customerId),
        steps.map(({ r }) => entryId(r)),
        steps.map(({ r }) => r.enteredAt),
        steps.map(({ seq }) => seq),
        steps.map(({ s }) => s.step),
        steps.map(({ s }) => s.kind),
        steps.map(({ s }) => s.at),
        steps.map(({ s }) => s.outcome),
      ],
    );
    const sends = steps.filter(({ s }) => s.send);
    await stack.store.query(
      `INSERT INTO send_ledger (send_key, customer_id, journey_id, journey_version, step_id, channel, template, provider, workflow_id, run_id, state, intent_at, requested_at, outcome_at)
       SELECT k, c, $1, $2, s, ch, tp, 'local', w, 'bench-console', 'sent', a, a, a FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[]) AS u(k, c, s, ch, tp, w, a)`,
      [
        journeyId,
        version,
        sends.map(({ r, s }) => composeKey(journeyWorkflowId(journeyId, r.customerId), entryId(r), s.step, 1)),
        sends.map(({ r }) => r.customerId),
        sends.map(({ s }) => s.step),
        sends.map(({ s }) => s.send!.channel),
        sends.map(({ s }) => s.send!.template),
        sends.map(({ r }) => journeyWorkflowId(journeyId, r.customerId)),
        sends.map(({ s }) => s.at),
      ],
    );
    pathRows += steps.length;
    ledgerRows += sends.length;
    progress(from + chunk.length);
  }
  return { seconds: (Date.now() - started) / 1000, enrolments: runs.length, pathRows, ledgerRows };
}

/**
 * Visibility's share: one `journeyWorkflow` start per filler run with the search attributes the
 * router's start sets (activities/start-journeys.ts), JourneyStep where the run stands and
 * JourneyStatus its fate. Active runs go to `parked`, which no worker polls, so they stay Running;
 * converted, exited and completed ones to `closing`, where the closer worker completes them;
 * "other" ones are terminated right after their start. `concurrency` calls in flight; then waits
 * until visibility counts every closed run.
 */
export async function fillVisibility(stack: Stack, journey: Journey, version: string, runs: FillerRun[], queues: FillQueues, concurrency: number, deadline: number): Promise<FillResult['visibility']> {
  const { client } = stack;
  const started = Date.now();
  const progress = tenths('visibility fill, runs started', runs.length);
  let done = 0;
  await pool(runs, concurrency, async (run) => {
    if (Date.now() > deadline) throw new Error(`WAYMARK_BENCH_TIMEOUT (--timeout) reached with ${fmt(done)}/${fmt(runs.length)} filler runs started`);
    const closes = run.fate !== 'active' && run.fate !== 'other';
    const workflowId = journeyWorkflowId(journey.id, run.customerId);
    try {
      await client.workflow.start('journeyWorkflow', {
        workflowId,
        taskQueue: closes ? queues.closing : queues.parked,
        args: [],
        typedSearchAttributes: [
          { key: JourneyId, value: journey.id },
          { key: JourneyVersion, value: version },
          { key: CustomerId, value: run.customerId },
          { key: JourneyStep, value: run.step },
          { key: JourneyStatus, value: closes ? run.fate : 'active' },
          ...(run.splits.length ? [{ key: JourneySplits, value: run.splits }] : []),
        ],
        memo: { journeyName: journey.name, journeyVersion: version, entryMessageId: `${run.customerId}-entry` },
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    if (run.fate === 'other') await client.workflow.getHandle(workflowId).terminate('bench:console: a run an operator ended');
    progress(++done);
  });
  const seconds = (Date.now() - started) / 1000;
  const closing = runs.filter((r) => r.fate !== 'active' && r.fate !== 'other').length;
  const waitStarted = Date.now();
  const closed = tenths('visibility fill, ended runs completed by the closer worker', closing);
  for (;; await new Promise((r) => setTimeout(r, 1_000))) {
    const { count } = await client.workflow.count(`TaskQueue = '${queues.closing}' AND ExecutionStatus = 'Completed'`);
    closed(count);
    if (count >= closing) break;
    if (Date.now() > deadline) throw new Error(`WAYMARK_BENCH_TIMEOUT (--timeout) reached with ${fmt(count)}/${fmt(closing)} ended filler runs completed`);
  }
  return { seconds, startsPerSecond: runs.length / seconds, closeWaitSeconds: (Date.now() - waitStarted) / 1000 };
}

export function fateCounts(runs: FillerRun[]): Record<Fate, number> {
  const counts: Record<Fate, number> = { active: 0, converted: 0, exited: 0, completed: 0, other: 0 };
  runs.forEach((r) => counts[r.fate]++);
  return counts;
}
