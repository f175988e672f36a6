/**
 * Durations are written as a number and a unit, optionally chained: "30s", "15m", "1d", "1d12h".
 * Pure: imported by workflow code.
 */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const WHOLE = /^(\d+[smhdw])+$/;
const PART = /(\d+)([smhdw])/g;

/** Milliseconds in `text`, or undefined when it is not a positive duration. */
export function durationMs(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as Unit];
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

export const DURATION_HINT = 'a duration such as "30s", "15m", "2h", "1d" or "1d12h" (units s, m, h, d, w), greater than zero';

/** Milliseconds in `text`; throws with `what` named when it is not a duration. */
export function requireDurationMs(text: string, what: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`${what}: "${text}" is not ${DURATION_HINT}`);
  return ms;
}

/** `ms` written as durations are ("1h", "1d12h", "90s" for a part of a minute), the inverse of durationMs for whole seconds. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  let rest = Math.round(ms / 1_000) * 1_000;
  let text = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    if (amount) text += `${amount}${unit}`;
    rest -= amount * UNIT_MS[unit];
  }
  return text;
}
