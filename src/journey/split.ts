/**
 * Sticky, reproducible split assignment: the same customer, journey and step always land on the
 * same path, on every replay and every re-entry. Pure: runs inside workflow code.
 */

/** 32-bit FNV-1a of the UTF-16 code units of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function pickPath<P extends { weight: number }>(paths: readonly P[], journeyId: string, stepId: string, customerId: string): P {
  const total = paths.reduce((sum, p) => sum + p.weight, 0);
  let point = fnv1a(`${journeyId}\u0000${stepId}\u0000${customerId}`) % total;
  for (const p of paths) {
    if (point < p.weight) return p;
    point -= p.weight;
  }
  return paths[paths.length - 1]!;
}
