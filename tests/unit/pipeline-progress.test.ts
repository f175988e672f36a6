import { progressLine, type RunProgress } from '../../src/pipeline/progress';
import { outcomeOf } from '../../src/pipeline/schedules';

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

/** The line under each completed run in `waymark schedules list`. */
describe('outcomeOf', () => {
  it('a quarantined batch says why; a run with no export waiting says so', () => {
    expect(outcomeOf({ status: 'quarantined', batchId: 'b2', rawRows: 10, reason: 'ga360_readable_times: 3 failing rows' })).toBe('quarantined b2: ga360_readable_times: 3 failing rows');
    expect(outcomeOf({ status: 'quarantined', batchId: 'b2', rawRows: 10, reason: 'ga360_readable_times: 3 failing rows', quality: 97 })).toBe('quarantined b2 (quality 97): ga360_readable_times: 3 failing rows');
    expect(outcomeOf({ status: 'nothing_to_do' })).toBe('nothing to do (no export waiting)');
  });

  it('a published batch counts its rows, the profiles updated (and refused, when any) and the events', () => {
    const published = { status: 'published' as const, batchId: 'b1', rawRows: 1295721, atRisk: 470, attributes: 2460, eventsSent: 470 };
    expect(outcomeOf({ ...published, profiles: { updated: 2458, refused: 2, examples: [] } })).toBe('published b1: 1,295,721 raw rows, 2,458 profiles updated, 2 refused, 470 events sent');
    expect(outcomeOf({ ...published, profiles: { updated: 2460, refused: 0, examples: [] } })).toBe('published b1: 1,295,721 raw rows, 2,460 profiles updated, 470 events sent');
    expect(outcomeOf({ ...published, quality: 98, warnings: 'ga360_hits_fresh: 1 failing row' })).toBe('published b1 (quality 98): 1,295,721 raw rows, 2,460 profiles updated, 470 events sent; warnings: ga360_hits_fresh: 1 failing row');
  });
});
