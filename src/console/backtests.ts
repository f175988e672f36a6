import { randomUUID } from 'node:crypto';
import type { BacktestResult } from '../journey/backtest';
import type { PublishedJourney } from '../journey/schema';

/** Runs a backtest of a draft over the warehouse's last `customers`, telling its progress. */
export type BacktestRunner = (draft: PublishedJourney, customers: number, onProgress: (done: number, total: number) => void) => Promise<BacktestResult>;

interface JobBase {
  id: string;
  draft: PublishedJourney;
  customers: number;
  actor: string;
  startedAt: Date;
}

/** A backtest started from the console: running (with its progress), done (with its result), or failed (with why). */
export type BacktestJob = JobBase & ({ state: 'running'; done: number; total?: number } | { state: 'done'; result: BacktestResult; endedAt: Date } | { state: 'failed'; message: string; endedAt: Date });

/**
 * The console's backtests: each runs in the API process, in the background (a backtest of a hundred
 * customers takes longer than a request may), one at a time (each starts a private time-skipping
 * server and works a CPU); the page asks for its progress. The last `keep` are kept to be looked
 * at, in memory only: an API restart forgets them (run it again, or use `waymark journeys backtest`).
 */
export class BacktestJobs {
  private readonly jobs = new Map<string, BacktestJob>();

  constructor(
    private readonly run: BacktestRunner,
    private readonly keep: number,
  ) {}

  /** Starts a backtest, or answers the one still running. */
  start(draft: PublishedJourney, customers: number, actor: string): { started: BacktestJob } | { busy: BacktestJob } {
    const running = [...this.jobs.values()].find((j) => j.state === 'running');
    if (running) return { busy: running };
    const job: BacktestJob = { id: randomUUID(), draft, customers, actor, startedAt: new Date(), state: 'running', done: 0 };
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) if (this.jobs.size > this.keep) this.jobs.delete(id);
    const progress = (done: number, total: number) => Object.assign(job, { done, total });
    this.run(draft, customers, progress).then(
      (result) => this.settle(job, { state: 'done', result, endedAt: new Date() }),
      (err: unknown) => this.settle(job, { state: 'failed', message: err instanceof Error ? err.message : String(err), endedAt: new Date() }),
    );
    return { started: job };
  }

  get(id: string): BacktestJob | undefined {
    return this.jobs.get(id);
  }

  private settle(job: BacktestJob, end: Pick<Extract<BacktestJob, { state: 'done' }>, 'state' | 'result' | 'endedAt'> | Pick<Extract<BacktestJob, { state: 'failed' }>, 'state' | 'message' | 'endedAt'>): void {
    // Replaced, not changed in place: a page being rendered keeps the state it read.
    if (this.jobs.has(job.id)) this.jobs.set(job.id, { ...job, ...end } as BacktestJob);
  }
}
