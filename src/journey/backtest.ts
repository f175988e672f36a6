import fs from 'node:fs';
import type { Config } from '../config';
import { scratchConfig } from './scratch';
import { createDeps } from '../runtime';
import { journeyRunSettings } from '../settings';
import { startTimeSkippingServer } from '../temporal/time-skipping';
import { publishTemplates } from '../templates/publish';
import { createJourneyWorker } from '../../workers/journey-worker';
import { backtestCustomer, BACKTEST_STATUSES, type BacktestStatus, type CustomerBacktest } from './backtest-customer';
import type { BacktestEvents } from './backtest-events';
import { durationMs } from './duration';
import type { Journey, PublishedJourney } from './schema';

export { BACKTEST_STATUSES, type BacktestStatus, type CustomerBacktest };

export interface BacktestOptions {
  /** How long after entry each run is followed at most (defaultHorizonMs without --horizon). */
  horizonMs: number;
  /** Called after each customer: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

export interface BacktestResult {
  journeyId: string;
  version: string;
  horizonMs: number;
  /** The warehouse's latest event: runs are followed no further than it. */
  eventsEndAt: string;
  /** What the warehouse does not have that the journey's conditions name. */
  notes: string[];
  /** Each customer, in the order given (newest entry first). */
  customers: CustomerBacktest[];
  /** Per step (in the definition's order), how many customers reached it. */
  reached: Array<{ step: string; customers: number }>;
  /** How many customers ended each way. */
  statuses: Record<BacktestStatus, number>;
}

/**
 * How long each run is followed without --horizon: the longest a run can wait without going round
 * a loop (every wait and wait_for_event timeout added up, a wait until a time of day counting a
 * week, the furthest it can be), plus WAYMARK_BACKTEST_HORIZON_SLACK for the steps themselves
 * and for sends the contact policy holds back.
 */
export function defaultHorizonMs(journey: Journey, config: Config): number {
  let total = config.backtest.horizonSlackMs;
  for (const step of Object.values(journey.steps)) {
    if (step.kind === 'wait') total += step.duration ? durationMs(step.duration)! : durationMs('1w')!;
    if (step.kind === 'wait_for_event') total += durationMs(step.timeout)!;
  }
  return total;
}


/**
 * Backtests a draft journey: runs it for each customer of `history` (their real events at their
 * real offsets from entry) with the real interpreter, on ONE private time-skipping Temporal server
 * and one worker, against a throwaway database; then counts where they went.
 */
export async function backtestJourney(published: PublishedJourney, history: BacktestEvents, config: Config, options: BacktestOptions): Promise<BacktestResult> {
  const scratch = scratchConfig(config, 'backtest', false);
  const deps = createDeps(scratch);
  const env = await startTimeSkippingServer();
  const customers: CustomerBacktest[] = [];
  try {
    await deps.journeys.publish(published, 'backtest', 'backtest');
    // The templates of the folder (the files, not the store's versions): the words being written.
    if (fs.existsSync(config.templates.dir)) await publishTemplates(scratch, deps.templates, 'backtest');
    const taskQueue = 'waymark-backtest';
    const worker = await createJourneyWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue, deps });
    const bench = { env, deps, taskQueue, settings: journeyRunSettings(scratch), published, horizonMs: options.horizonMs, eventsEndMs: Date.parse(history.endsAt) };
    await worker.runUntil(async () => {
      for (const customer of history.customers) {
        customers.push(await backtestCustomer(bench, customer));
        options.onProgress?.(customers.length, history.customers.length);
      }
    });
  } finally {
    await env.teardown();
    await deps.store.dropScratchDatabase();
  }
  return { journeyId: published.definition.id, version: published.version, horizonMs: options.horizonMs, eventsEndAt: history.endsAt, notes: history.notes, customers, ...tally(published.definition, customers) };
}

function tally(journey: Journey, customers: CustomerBacktest[]): Pick<BacktestResult, 'reached' | 'statuses'> {
  const statuses = Object.fromEntries(BACKTEST_STATUSES.map((s) => [s, 0])) as Record<BacktestStatus, number>;
  for (const c of customers) statuses[c.status]++;
  const reached = Object.keys(journey.steps).map((step) => ({ step, customers: customers.filter((c) => c.path.some((p) => p.step === step)).length }));
  return { reached, statuses };
}
