import { BacktestJobs, type BacktestRunner } from '../../src/console/backtests';
import type { BacktestResult } from '../../src/journey/backtest';
import type { PublishedJourney } from '../../src/journey/schema';

const draft = (id: string) => ({ definition: { id }, version: 'abc' }) as unknown as PublishedJourney;
const result = (journeyId: string) => ({ journeyId, customers: [] }) as unknown as BacktestResult;
const settle = () => new Promise((r) => setImmediate(r));

describe("the console's backtests", () => {
  it('runs one at a time in the background, telling progress, then keeps the result or the failure', async () => {
    const pending: Array<{ resolve: (r: BacktestResult) => void; reject: (e: Error) => void; progress: (done: number, total: number) => void }> = [];
    const runner: BacktestRunner = (_draft, _customers, progress) => new Promise((resolve, reject) => pending.push({ resolve, reject, progress }));
    const jobs = new BacktestJobs(runner, 10);
    const first = jobs.start(draft('a'), 5, 'ada');
    if (!('started' in first)) throw new Error('the first backtest did not start');
    expect(jobs.get(first.started.id)).toMatchObject({ state: 'running', done: 0, actor: 'ada', customers: 5 });
    pending[0]!.progress(2, 5);
    expect(jobs.get(first.started.id)).toMatchObject({ state: 'running', done: 2, total: 5 });
    // A second while the first runs: refused, naming the one running.
    const second = jobs.start(draft('b'), 5, 'grace');
    expect('busy' in second && second.busy.id).toBe(first.started.id);
    pending[0]!.resolve(result('a'));
    await settle();
    expect(jobs.get(first.started.id)).toMatchObject({ state: 'done', result: { journeyId: 'a' } });
    const third = jobs.start(draft('c'), 5, 'grace');
    if (!('started' in third)) throw new Error('a backtest did not start after the first ended');
    pending[1]!.reject(new Error('the warehouse has no customer events yet'));
    await settle();
    expect(jobs.get(third.started.id)).toMatchObject({ state: 'failed', message: 'the warehouse has no customer events yet' });
  });

  it('keeps the newest `keep` backtests', async () => {
    const jobs = new BacktestJobs(async (d) => result(d.definition.id), 2);
    const ids: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      const started = jobs.start(draft(id), 1, 'ada');
      if (!('started' in started)) throw new Error('not started');
      ids.push(started.started.id);
      await settle();
    }
    expect(ids.map((id) => jobs.get(id)?.state)).toEqual([undefined, 'done', 'done']);
  });
});
