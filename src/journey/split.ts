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

/**
 * The murmur3 finaliser. FNV-1a's low bits depend only on the low bits of the input characters
 * (with weights summing to a power of two, e.g. 1:1, a customer's path was the parity of their
 * id's odd characters, the same in every split of every journey); this spreads every input bit.
 */
export function mix32(hash: number): number {
  let h = hash >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function pickPath<P extends { weight: number }>(paths: readonly P[], journeyId: string, stepId: string, customerId: string): P {
  const total = paths.reduce((sum, p) => sum + p.weight, 0);
  let point = mix32(fnv1a(`${journeyId}\u0000${stepId}\u0000${customerId}`)) % total;
  for (const p of paths) {
    if (point < p.weight) return p;
    point -= p.weight;
  }
  return paths[paths.length - 1]!;
}

/** A split step as assignments need it. */
interface SplitStep {
  kind: string;
  paths?: ReadonlyArray<{ name: string; weight: number }>;
}

/**
 * The path every split of a journey version assigns the customer, as "<step>:<path>" (neither
 * holds ":"), in step order: what the run takes at each split it reaches. Results per variant
 * count a customer under this assignment from entry (intention to treat), reached or not.
 */
export function splitAssignments(journeyId: string, steps: Readonly<Record<string, SplitStep>>, customerId: string): string[] {
  return Object.entries(steps)
    .filter((entry): entry is [string, SplitStep & { paths: ReadonlyArray<{ name: string; weight: number }> }] => entry[1].kind === 'split' && entry[1].paths !== undefined)
    .map(([stepId, step]) => `${stepId}:${pickPath(step.paths, journeyId, stepId, customerId).name}`);
}
