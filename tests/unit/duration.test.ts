import { durationMs, formatDuration, requireDurationMs } from '../../src/journey/duration';

describe('durationMs', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['1d12h', 129_600_000],
    ['1h30m15s', 5_415_000],
    ['0d1h', 3_600_000],
    ['1h1h', 7_200_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(['', '0s', '0d0h', '1', 'h', '1.5h', '-1h', '1y', '1H', ' 1h', '1h ', '1d 2h', '1d-2h', 'one day', '99999999999999999w'])(
    'rejects %j',
    (text) => {
      expect(durationMs(text)).toBeUndefined();
    },
  );

  it('is not fooled by a global regex keeping state between calls', () => {
    expect([durationMs('1d'), durationMs('1d'), durationMs('2h'), durationMs('2h')]).toEqual([86_400_000, 86_400_000, 7_200_000, 7_200_000]);
  });
});

describe('requireDurationMs', () => {
  it('returns the milliseconds of a valid duration', () => {
    expect(requireDurationMs('5m', 'WAYMARK_X')).toBe(300_000);
  });

  it('names the field and the bad text when it is not a duration', () => {
    expect(() => requireDurationMs('5 minutes', 'WAYMARK_X')).toThrow(/^WAYMARK_X: "5 minutes" is not a duration such as/);
    expect(() => requireDurationMs('0s', 'steps.wait.duration')).toThrow('steps.wait.duration: "0s"');
  });
});

describe('formatDuration', () => {
  it('writes milliseconds as a duration that reads back to the same value', () => {
    for (const [ms, text] of [[3_600_000, '1h'], [129_600_000, '1d12h'], [90_000, '1m30s'], [604_800_000, '7d'], [500, '500ms']] as const) {
      expect(formatDuration(ms)).toBe(text);
      if (ms >= 1_000) expect(durationMs(text)).toBe(ms);
    }
  });
});
