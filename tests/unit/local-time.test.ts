import { nextLocalTime } from '../../src/journey/local-time';
import type { Weekday } from '../../src/journey/schema';

const at = (iso: string) => Date.parse(iso);
const next = (nowIso: string, time: string, zone: string, weekdays?: Weekday[]) => new Date(nextLocalTime(at(nowIso), time, weekdays, zone)).toISOString();
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

/** Wall clock and weekday of an instant in a zone, read with Intl (independently of the code under test). */
function wall(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

describe('nextLocalTime', () => {
  it('returns today when the time is still ahead, else tomorrow (strictly after now)', () => {
    expect(next('2026-03-25T08:00:00Z', '10:00', 'UTC')).toBe('2026-03-25T10:00:00.000Z');
    expect(next('2026-03-25T10:00:00Z', '10:00', 'UTC')).toBe('2026-03-26T10:00:00.000Z');
    expect(next('2026-03-25T10:00:01Z', '10:00', 'UTC')).toBe('2026-03-26T10:00:00.000Z');
    expect(next('2026-03-25T09:59:59Z', '10:00', 'UTC')).toBe('2026-03-25T10:00:00.000Z');
  });

  describe('across daylight saving changes', () => {
    it('Europe/Paris spring forward (29 March 2026): 09:00 is CEST, UTC+2', () => {
      expect(next('2026-03-27T12:00:00Z', '09:00', 'Europe/Paris')).toBe('2026-03-28T08:00:00.000Z'); // still CET
      expect(next('2026-03-28T12:00:00Z', '09:00', 'Europe/Paris')).toBe('2026-03-29T07:00:00.000Z'); // now CEST
    });

    it('Europe/Paris fall back (25 October 2026): 09:00 is CET, UTC+1', () => {
      expect(next('2026-10-24T12:00:00Z', '09:00', 'Europe/Paris')).toBe('2026-10-25T08:00:00.000Z');
    });

    it('Europe/Paris: a time skipped by the jump moves forward (02:30 -> 03:30 CEST)', () => {
      expect(next('2026-03-28T23:30:00Z', '02:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
      expect(wall('2026-03-29T01:30:00Z', 'Europe/Paris')).toBe('Sun 03:30');
    });

    it('Europe/Paris: a repeated time (02:30 on fall back day) lands on one of its two instants', () => {
      const result = next('2026-10-24T23:00:00Z', '02:30', 'Europe/Paris');
      expect(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']).toContain(result);
      expect(wall(result, 'Europe/Paris')).toBe('Sun 02:30');
    });

    it('America/New_York spring forward (8 March 2026) and fall back (1 November 2026)', () => {
      expect(next('2026-03-07T20:00:00Z', '09:00', 'America/New_York')).toBe('2026-03-08T13:00:00.000Z'); // EDT
      expect(next('2026-03-06T20:00:00Z', '09:00', 'America/New_York')).toBe('2026-03-07T14:00:00.000Z'); // EST
      expect(next('2026-10-31T20:00:00Z', '09:00', 'America/New_York')).toBe('2026-11-01T14:00:00.000Z'); // EST again
      // 02:30 does not exist that night: it moves forward to 03:30 EDT (it used to move back to 01:30 EST)
      expect(next('2026-03-08T05:00:00Z', '02:30', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z');
      expect(wall('2026-03-08T07:30:00Z', 'America/New_York')).toBe('Sun 03:30');
    });

    it('the local day is used, not the UTC day, for a late evening in New York', () => {
      // Tue 24 March 23:30 EDT is Wed 03:30 UTC; 23:45 local is still "today" (Tuesday).
      expect(next('2026-03-25T03:30:00Z', '23:45', 'America/New_York')).toBe('2026-03-25T03:45:00.000Z');
    });
  });

  describe('weekday filter', () => {
    it('skips the weekend: Friday after 10:00 -> Monday 10:00', () => {
      expect(next('2026-03-27T12:00:00Z', '10:00', 'UTC', WEEKDAYS)).toBe('2026-03-30T10:00:00.000Z');
      expect(next('2026-03-28T08:00:00Z', '10:00', 'UTC', WEEKDAYS)).toBe('2026-03-30T10:00:00.000Z');
      expect(next('2026-03-27T09:00:00Z', '10:00', 'UTC', WEEKDAYS)).toBe('2026-03-27T10:00:00.000Z');
    });

    it('uses the weekday in the customer zone (Tokyo is already Saturday)', () => {
      // Fri 27 March 20:00 UTC is Sat 05:00 in Tokyo: next weekday 10:00 JST is Monday 01:00 UTC.
      expect(next('2026-03-27T20:00:00Z', '10:00', 'Asia/Tokyo', WEEKDAYS)).toBe('2026-03-30T01:00:00.000Z');
      // the same instant in UTC is Friday, already past 10:00: also Monday, but 10:00 UTC
      expect(next('2026-03-27T20:00:00Z', '10:00', 'UTC', WEEKDAYS)).toBe('2026-03-30T10:00:00.000Z');
    });

    it('handles a single weekday a full week ahead, across the Paris DST change', () => {
      // Sunday 22 March 10:00 CET has passed: the next Sunday 10:00 is in CEST.
      expect(next('2026-03-22T12:00:00Z', '10:00', 'Europe/Paris', ['sun'])).toBe('2026-03-29T08:00:00.000Z');
    });

    it('Monday 10:00 in Paris after the spring change, on a half-hour-offset zone too', () => {
      expect(next('2026-03-27T12:00:00Z', '10:00', 'Europe/Paris', WEEKDAYS)).toBe('2026-03-30T08:00:00.000Z');
      const kolkata = next('2026-03-27T12:00:00Z', '10:00', 'Asia/Kolkata', WEEKDAYS);
      expect(kolkata).toBe('2026-03-30T04:30:00.000Z');
      expect(wall(kolkata, 'Asia/Kolkata')).toBe('Mon 10:00');
    });
  });

  it('always lands on the requested wall clock and an allowed weekday (sweep over a year, hourly)', () => {
    const allowed = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']);
    for (const zone of ['Europe/Paris', 'America/New_York', 'Australia/Sydney']) {
      for (let t = at('2026-01-01T00:17:00Z'); t < at('2027-01-01T00:00:00Z'); t += 7 * 3_600_000) {
        const result = nextLocalTime(t, '10:00', WEEKDAYS, zone);
        expect(result).toBeGreaterThan(t);
        expect(result - t).toBeLessThanOrEqual(4 * 86_400_000);
        const [day, clock] = wall(new Date(result).toISOString(), zone).split(' ');
        expect(allowed.has(day!) && clock === '10:00').toBe(true);
      }
    }
  });

  it('a 02:30 wait never lands before 02:30 local: 03:30 only on the spring-forward night (sweep over a year)', () => {
    for (const zone of ['Europe/Paris', 'America/New_York']) {
      const clocks = new Map<string, number>();
      for (let t = at('2026-01-01T12:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 86_400_000) {
        const clock = wall(new Date(nextLocalTime(t, '02:30', undefined, zone)).toISOString(), zone).split(' ')[1]!;
        clocks.set(clock, (clocks.get(clock) ?? 0) + 1);
      }
      expect(Object.fromEntries(clocks)).toEqual({ '02:30': 364, '03:30': 1 });
    }
  });
});
