import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CustomerEvent } from '../events/schema';
import type { Deps } from '../runtime';
import type { JourneyRunSettings, JourneyState } from '../../workflows/contract';
import { eventSignal, journeyStateQuery, journeyWorkflowId } from '../../workflows/contract';
import { journeyWorkflow } from '../../workflows/journey';
import type { CustomerHistory, WarehouseEvent } from './backtest-events';
import { durationMs, formatDuration } from './duration';
import { entriesFor } from './entries';
import { entryMatches } from './entry-matches';
import { runEventTypes } from './event-types';
import type { PublishedJourney } from './schema';

/** How a customer's backtest ended. */
export type BacktestStatus = 'not entered' | 'converted' | 'exited' | 'completed' | 'still running';
export const BACKTEST_STATUSES: readonly BacktestStatus[] = ['not entered', 'converted', 'exited', 'completed', 'still running'];

export interface CustomerBacktest {
  customerId: string;
  status: BacktestStatus;
  /** The entry filter's refusal, the run's end ("goal purchased reached"), or where it still waited when the backtest stopped following it. */
  reason: string;
  /** The entry event that started the run (their first the entry filter lets in), at its real time. */
  entry?: { type: string; at: string };
  /** When the run ended, or the backtest stopped following it, from entry. */
  endedAfterMs?: number;
  /** Each step the run took, with when it started and ended (from entry) and what happened there. */
  path: Array<{ step: string; kind: string; afterMs: number; endedAfterMs?: number; outcome?: string }>;
  /** What would have gone out (the run's messages, recorded in the backtest's own database). */
  messages: Array<{ step: string; channel: string; template: string; afterMs: number }>;
  /** Their later events the run received, at their real offsets from entry. */
  events: Array<{ type: string; afterMs: number }>;
  /** Steps that failed (a template that is not published, one this customer's data cannot fill). */
  failures: number;
}

/** What one customer's runs share: the private server and its worker's database. */
export interface BacktestBench {
  env: TestWorkflowEnvironment;
  deps: Deps;
  taskQueue: string;
  settings: JourneyRunSettings;
  published: PublishedJourney;
  /** How long after entry each run is followed at most. */
  horizonMs: number;
  /** The warehouse's latest event (epoch ms): no history is known past it. */
  eventsEndMs: number;
}

const WEEK_MS = durationMs('1w')!;
/** A run's step that ends exactly at the horizon counts: the server is taken just past it. */
const PAST_THE_HORIZON_MS = 1;

/** The entry event the live router would start a run with (the first whose filter holds), or why none would. */
export function chooseEntry(published: PublishedJourney, history: CustomerHistory): { at: number } | { refused: string } {
  const entryTypes = new Set(entryMatches(published.definition).map((m) => m.event));
  let refused = 'no entry event';
  for (const [at, e] of history.events.entries()) {
    if (!entryTypes.has(e.type)) continue;
    const match = entriesFor([published], asEvent(history.customerId, e, e.at, `entry-${at}`));
    if (match.entered.length) return { at };
    refused = match.refused[0]?.why ?? refused;
  }
  return { refused };
}

function asEvent(customerId: string, e: WarehouseEvent, timestamp: string, messageId: string): CustomerEvent {
  return { messageId: `backtest-${messageId}`, type: e.type, customerId, timestamp, properties: e.properties };
}

/**
 * Runs the journey for one customer on the bench's server: their entry event at the same time of
 * the week as it really came (so waits until a local time land as they would have), then each
 * later event the journey listens to at its real offset from entry, until the run ends, the
 * horizon, or the warehouse's latest event, whichever is first.
 */
export async function backtestCustomer(bench: BacktestBench, history: CustomerHistory): Promise<CustomerBacktest> {
  const { env, deps, published } = bench;
  const { customerId } = history;
  const chosen = chooseEntry(published, history);
  if ('refused' in chosen) return { customerId, status: 'not entered', reason: chosen.refused, path: [], messages: [], events: [], failures: 0 };
  const entry = history.events[chosen.at]!;
  const entryMs = Date.parse(entry.at);
  const followMs = Math.min(bench.horizonMs, bench.eventsEndMs - entryMs);
  const listens = new Set(runEventTypes(published.definition));
  const later = history.events
    .slice(chosen.at + 1)
    .map((e, i) => ({ e, n: chosen.at + 1 + i, afterMs: Date.parse(e.at) - entryMs }))
    .filter(({ e, afterMs }) => listens.has(e.type) && afterMs <= followMs);

  if (Object.keys(history.traits).length) await deps.profiles.apply(customerId, { traits: history.traits }, 'backtest');
  const sameTimeOfWeek = (((entryMs - (await env.currentTimeMs())) % WEEK_MS) + WEEK_MS) % WEEK_MS;
  if (sameTimeOfWeek) await env.sleep(sameTimeOfWeek);
  const startMs = await env.currentTimeMs();
  const at = (afterMs: number) => new Date(startMs + afterMs).toISOString();
  const handle = await env.client.workflow.start(journeyWorkflow, {
    workflowId: journeyWorkflowId(published.definition.id, customerId),
    taskQueue: bench.taskQueue,
    args: [{ v: 2, journeyId: published.definition.id, version: published.version, customerId, entry: asEvent(customerId, entry, at(0), `${chosen.at}`), settings: bench.settings }],
  });
  const running = async () => (await handle.describe()).status.name === 'RUNNING';
  const events: CustomerBacktest['events'] = [];
  for (const { e, n, afterMs } of later) {
    const wait = startMs + afterMs - (await env.currentTimeMs());
    if (wait > 0) await env.sleep(wait);
    if (!(await running())) break; // the run ended before this event
    await handle.signal(eventSignal, asEvent(customerId, e, at(afterMs), `${n}`));
    events.push({ type: e.type, afterMs });
  }
  if (await running()) {
    const rest = startMs + followMs + PAST_THE_HORIZON_MS - (await env.currentTimeMs());
    if (rest > 0) await env.sleep(rest);
  }
  const stillRunning = await running();
  const final = stillRunning ? await handle.query(journeyStateQuery) : await handle.result();
  if (stillRunning) await handle.terminate('backtest: stopped following the run');
  const messages = (await deps.outbox.list(customerId)).map((m) => ({ step: m.stepId, channel: m.channel, template: m.template, afterMs: Date.parse(m.requestedAt ?? m.recordedAt) - startMs }));
  const stoppedBy = `${followMs < bench.horizonMs ? "when the warehouse's events end" : 'at the horizon'}, ${formatDuration(followMs)} after entry`;
  return {
    customerId,
    entry: { type: entry.type, at: entry.at },
    ...outcomeOf(final, startMs, stillRunning ? { afterMs: followMs, stoppedBy } : undefined),
    messages,
    events,
    failures: final.failures ?? 0,
  };
}

/** The run's status, reason and path, with times from entry. */
function outcomeOf(final: JourneyState, startMs: number, stopped: { afterMs: number; stoppedBy: string } | undefined): Pick<CustomerBacktest, 'status' | 'reason' | 'endedAfterMs' | 'path'> {
  const from = (iso: string) => Date.parse(iso) - startMs;
  const endedAfterMs = stopped ? stopped.afterMs : final.endedAt ? from(final.endedAt) : undefined;
  const path = final.path.map((p, i) => {
    const next = final.path[i + 1];
    const ended = next ? from(next.at) : p.outcome && final.endedAt ? from(final.endedAt) : undefined;
    return { step: p.step, kind: p.kind, afterMs: from(p.at), ...(ended !== undefined ? { endedAfterMs: ended } : {}), ...(p.outcome ? { outcome: p.outcome } : {}) };
  });
  if (!stopped) return { status: final.status === 'active' ? 'still running' : final.status, reason: final.reason ?? '', endedAfterMs, path };
  const waiting = final.waiting?.kind === 'event' ? ` (for ${final.waiting.event})` : '';
  return { status: 'still running', reason: `still waiting at ${final.waiting?.step ?? final.step}${waiting} ${stopped.stoppedBy}`, endedAfterMs, path };
}
