/**
 * The keys of one object of a JSON text, remembered by where they start in the text rather than
 * as strings: an object of 40,000 keys costs a table of numbers, not 40,000 strings for the
 * garbage collector. A key's string is made only when two keys hash alike (a duplicate, or a
 * rare collision) and when a refusal names it.
 */
export class ObjectKeys {
  /** Key hash -> start of the first key with that hash. */
  private readonly firstAt = new Map<number, number>();
  /** Keys whose hash collided with a different key's. */
  private collided?: Set<string>;

  constructor(private readonly text: string) {}

  /** Records the key whose content spans [start, end); false when the object already has it. */
  add(start: number, end: number): boolean {
    const hash = keyHash(this.text, start, end);
    const first = this.firstAt.get(hash);
    if (first === undefined) {
      this.firstAt.set(hash, start);
      return true;
    }
    const key = keyAt(this.text, start, end);
    if (keyAt(this.text, first) === key || this.collided?.has(key)) return false;
    (this.collided ??= new Set()).add(key);
    return true;
  }
}

const BACKSLASH = 0x5c;

/** The key whose content starts at `start` (ending at `end`, or at its closing quote), escapes decoded as JSON.parse will. */
export function keyAt(text: string, start: number, end = contentEnd(text, start)): string {
  const raw = text.slice(start, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw; // an invalid escape: JSON.parse refuses the whole text anyway
  }
}

/** Index of the closing quote of the string whose content starts at `from` (or the text's end). */
export function contentEnd(text: string, from: number): number {
  // indexOf runs natively: strings are most of a large body's characters.
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote; // not escaped
  }
  return text.length;
}

export function hasEscape(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** FNV-1a over the key's characters, escapes decoded first ("\u0061" and "a" hash alike). */
function keyHash(text: string, start: number, end: number): number {
  if (!hasEscape(text, start, end)) return fnv(text, start, end);
  const key = keyAt(text, start, end);
  return fnv(key, 0, key.length);
}

/** Kept within 30 bits, so V8 stores it unboxed in the table. */
function fnv(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash & 0x3fffffff;
}
