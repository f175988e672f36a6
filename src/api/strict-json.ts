/**
 * JSON.parse, refusing what it would silently change or what would cost too much:
 * - nesting deeper than a limit (checked before anything is parsed, and by DepthGuard while the
 *   body is still arriving, so a body of 100,000 brackets costs one piece of scanning);
 * - a key repeated in one object (JSON.parse keeps the last one; the sender meant one of them);
 * - `__proto__` and `constructor` keys (dropped or dangerous once merged into an object);
 * - numbers that do not survive as a 64-bit float: an integer literal that gets rounded
 *   (9007199254740993), an overflow to Infinity (1e309, later serialized as null), or a
 *   non-zero literal that reads as 0 (1e-400). Fractions written with "." or "e" are binary
 *   floats by intent, as in any JSON reader. Integers beyond 2^53 - 1 are refused even when
 *   representable: they are written back with other digits (2^64 as 18446744073709552000).
 *
 * The scan keeps the keys of each open object (as positions, see json-keys.ts), so its memory is
 * bounded by the body's size and the depth limit.
 */

import { contentEnd, hasEscape, keyAt, ObjectKeys } from './json-keys';

export type JsonRefusalCode = 'INVALID_JSON' | 'JSON_TOO_DEEP' | 'JSON_DUPLICATE_KEY' | 'JSON_FORBIDDEN_KEY' | 'JSON_UNSAFE_NUMBER';

/** Why the text was refused, and where: `path` as keys and array indexes from the top. */
export interface JsonRefusal {
  code: JsonRefusalCode;
  path: Array<string | number>;
  /** The offending key or number literal (quote it clipped). */
  found?: string;
}

export type StrictJson = { ok: true; value: unknown } | { ok: false; refusal: JsonRefusal };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);
const FORBIDDEN_LENGTHS = new Set([...FORBIDDEN_KEYS].map((key) => key.length));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const MINUS = 0x2d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** An open object (with its keys so far and where the current one starts) or array (with the current index). */
interface Frame {
  keys?: ObjectKeys;
  keyStart?: number;
  index: number;
}

/**
 * Characters scanned between two yields to the event loop (a few milliseconds of work): a 1 MB
 * body is scanned in slices, so /healthz and other requests are served in between.
 */
const SLICE_CHARS = 16 * 1024;

export async function parseStrictJson(text: string, maxDepth: number): Promise<StrictJson> {
  const scanner = new Scanner(text, maxDepth);
  while (!scanner.scan(SLICE_CHARS)) await new Promise((resume) => setImmediate(resume));
  if (scanner.tooDeep) return { ok: false, refusal: scanner.tooDeep };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, refusal: { code: 'INVALID_JSON', path: [] } };
  }
  // The scan trusts the grammar, so its other findings count only once the text is known to be JSON.
  return scanner.found ? { ok: false, refusal: scanner.found } : { ok: true, value };
}

/** One pass over the text, resumable: the first refusal, a depth refusal ending the scan at once. */
class Scanner {
  private readonly stack: Frame[] = [];
  private expectKey = false;
  private i = 0;
  found: JsonRefusal | undefined;
  tooDeep: JsonRefusal | undefined;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  /** Scans about `chars` more characters; true once the scan is over. */
  scan(chars: number): boolean {
    const { text, stack } = this;
    const until = Math.min(text.length, this.i + chars);
    let i = this.i;
    while (i < until) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const end = contentEnd(text, i + 1);
        const top = stack[stack.length - 1];
        if (this.expectKey && top?.keys) {
          this.onKey(top, i + 1, end);
          this.expectKey = false;
        }
        i = end + 1;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (stack.length >= this.maxDepth) {
          this.tooDeep = { code: 'JSON_TOO_DEEP', path: this.path() };
          return true;
        }
        stack.push(c === OPEN_OBJECT ? { keys: new ObjectKeys(text), index: 0 } : { index: 0 });
        this.expectKey = c === OPEN_OBJECT;
        i++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        stack.pop();
        this.expectKey = false;
        i++;
      } else if (c === COMMA) {
        const top = stack[stack.length - 1];
        if (top?.keys) this.expectKey = true;
        else if (top) top.index++;
        i++;
      } else if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
        const end = numberEnd(text, i);
        if (!this.found && needsLook(text, i, end)) {
          const literal = text.slice(i, end);
          if (changesMeaning(literal)) this.found = { code: 'JSON_UNSAFE_NUMBER', path: this.path(), found: literal };
        }
        i = end;
      } else {
        i++;
      }
    }
    this.i = i;
    return i >= text.length;
  }

  private onKey(top: Frame, start: number, end: number): void {
    top.keyStart = start;
    if (this.found) return;
    // Only a key of a forbidden key's length (or with escapes) can be one: most keys are never made into strings.
    const mayBeForbidden = FORBIDDEN_LENGTHS.has(end - start) || hasEscape(this.text, start, end);
    if (mayBeForbidden && FORBIDDEN_KEYS.has(keyAt(this.text, start, end))) {
      this.found = { code: 'JSON_FORBIDDEN_KEY', path: this.path(), found: keyAt(this.text, start, end) };
    } else if (!top.keys!.add(start, end)) {
      this.found = { code: 'JSON_DUPLICATE_KEY', path: this.path(), found: keyAt(this.text, start, end) };
    }
  }

  private path(): Array<string | number> {
    return this.stack.map((frame) => (frame.keys ? (frame.keyStart === undefined ? '' : keyAt(this.text, frame.keyStart)) : frame.index));
  }
}

/**
 * Nesting depth of a JSON text read piece by piece (strings skipped, brackets counted), to stop
 * reading a body as soon as it nests too deep.
 */
export class DepthGuard {
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly maxDepth: number) {}

  /** False once the text so far nests deeper than maxDepth. */
  feed(piece: string): boolean {
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) this.inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (++this.depth > this.maxDepth) return false;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) this.depth--;
    }
    return true;
  }
}

/** Characters a number literal can hold: digits, ".", "e", "E", "+", "-". */
function inNumber(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

function numberEnd(text: string, from: number): number {
  let i = from + 1;
  while (i < text.length && inNumber(text.charCodeAt(i))) i++;
  return i;
}

/** An integer of at most 15 digits is always exact; a longer literal, a fraction or an exponent gets a closer look. */
function needsLook(text: string, start: number, end: number): boolean {
  if (end - start > 15) return true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) return true;
  }
  return false;
}

function changesMeaning(literal: string): boolean {
  const value = Number(literal);
  if (Number.isNaN(value)) return false; // not a number at all: JSON.parse decides
  if (!Number.isFinite(value)) return true;
  const mantissa = literal.split(/[eE]/)[0]!;
  if (value === 0) return /[1-9]/.test(mantissa);
  // Beyond 2^53 an integer may be rounded, and even one that is not is written back with other digits.
  return !/[.eE]/.test(literal) && !Number.isSafeInteger(value);
}
