import { WEEKDAYS, type Weekday } from './weekdays';

/**
 * The next moment after `nowMs` when the clock in `timeZone` reads `time` on one of `weekdays`.
 * Pure (Intl only): runs inside workflow code, where Date.now() is the workflow's clock.
 */
export function nextLocalTime(nowMs: number, time: string, weekdays: readonly Weekday[] | undefined, timeZone: string): number {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const allowed = new Set((weekdays ?? WEEKDAYS).map((d) => WEEKDAYS.indexOf(d)));
  const today = localParts(nowMs, timeZone);
  for (let dayOffset = 0; dayOffset <= 8; dayOffset++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + dayOffset));
    if (!allowed.has(day.getUTCDay())) continue;
    const at = instantOf(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute, timeZone);
    if (at > nowMs) return at;
  }
  throw new Error(`no ${time} on ${[...allowed].join(',')} found after ${new Date(nowMs).toISOString()}`);
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(ms: number, timeZone: string): Parts {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  return parts as unknown as Parts;
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant of a local wall-clock time (a time skipped by a DST jump moves forward). */
function instantOf(year: number, month0: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month0, day, hour, minute);
  const first = wall - offsetAt(wall, timeZone);
  const offset = offsetAt(first, timeZone);
  const at = wall - offset;
  if (offsetAt(at, timeZone) === offset) return at;
  // The wall time does not exist (a DST gap): read it with the offset from before the jump (the
  // smaller one), which lands after the jump. Taking `at` would move it back an hour west of UTC.
  return wall - Math.min(offset, offsetAt(at, timeZone));
}
