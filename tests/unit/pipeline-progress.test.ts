import { progressLine, type RunProgress } from '../../src/pipeline/progress';

/** The line `waymark schedules list` prints for a running batch. */
describe('progressLine', () => {
  const run = (over: Partial<RunProgress>): RunProgress => ({ step: 'load raw', batchId: 'b1', done: 0, total: 0, underWay: [], ...over });

  it('a stage under way: what its heartbeat counts done, what runs, and the attempt after the first', () => {
    expect(progressLine(run({ underWay: [{ step: 'load raw', done: 3, total: 9, running: ['ga360_hits'], attempt: 1 }] }))).toBe('load raw 3/9 (running ga360_hits), batch b1');
    expect(progressLine(run({ step: 'checks', underWay: [{ step: 'checks', done: 15, total: 15, running: [], attempt: 2 }] }))).toBe('checks 15/15, attempt 2, batch b1');
  });

  it('the merge and the events side by side: each with the rows it has done', () => {
    const line = progressLine(
      run({
        step: 'merge attributes and send events',
        underWay: [
          { step: 'merge attributes', done: 1500, running: [], attempt: 1 },
          { step: 'send events', done: 120, running: [], attempt: 1 },
        ],
      }),
    );
    expect(line).toBe('merge attributes and send events: merge attributes 1,500 done; send events 120 done, batch b1');
  });

  it('a single statement under way (publish): its step, and the attempt after the first', () => {
    expect(progressLine(run({ step: 'publish', underWay: [{ step: 'publish', running: [], attempt: 1 }] }))).toBe('publish, batch b1');
    expect(progressLine(run({ step: 'publish', underWay: [{ step: 'publish', running: [], attempt: 3 }] }))).toBe('publish, attempt 3, batch b1');
  });

  it('no activity under way: the counts the workflow keeps, if any', () => {
    expect(progressLine(run({ step: 'publish' }))).toBe('publish, batch b1');
    expect(progressLine(run({ step: 'done', done: 4, total: 4, batchId: undefined }))).toBe('done 4/4, batch ?');
  });
});
