import { watchUntilDone, type Progress } from '../../bench/phase';

/** The bench's waiting loop must not load the machine it measures. */
describe('watchUntilDone', () => {
  it('looks at progress about once per interval after sending has ended, not in a loop', async () => {
    let calls = 0;
    const total = 10;
    const startedAt = Date.now();
    // Everything is accepted at once; the work is done 600 ms later.
    const progress = async (): Promise<Progress> => {
      calls++;
      const done = Date.now() - startedAt >= 600 ? total : 0;
      return { accepted: total, done, parked: done };
    };
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const { progress: last } = await watchUntilDone({ label: 'test', total, everyMs: 100, deadline: Date.now() + 10_000, watchdog: new Promise<never>(() => undefined), progress }, Promise.resolve());
      expect(last.parked).toBe(total);
    } finally {
      log.mockRestore();
    }
    // About 600 / 100 looks, plus the sending's end; a spinning loop makes thousands.
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(calls).toBeLessThanOrEqual(12);
  });
});
