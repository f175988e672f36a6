/** Edits (insert, delete, replace, swap of neighbours) that turn `a` into `b`. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known event type `type` was probably meant to be: the closest one, case aside, within a
 * few edits (a quarter of its length, at least 2); undefined when none is that close.
 */
export function closestType(type: string, known: Iterable<string>): string | undefined {
  const wanted = type.toLowerCase();
  let best: { type: string; edits: number } | undefined;
  for (const candidate of known) {
    if (candidate === type) return undefined;
    const edits = distance(wanted, candidate.toLowerCase());
    if (!best || edits < best.edits) best = { type: candidate, edits };
  }
  return best && best.edits <= Math.max(2, Math.floor(type.length / 4)) ? best.type : undefined;
}
