/**
 * What PostgreSQL refuses to store from a JSON value, found before the value is sent. Checked on
 * PostgreSQL 18: jsonb refuses the escape \u0000 (22P05) and a lone surrogate escape such as
 * \ud800 (22P02), and text refuses a NUL byte (22021). Numbers are never refused once they are
 * JavaScript numbers: jsonb keeps any finite double (1.7976931348623157e308 and 5e-324
 * included); what it refuses (1e131072, 200,000 digits: 22003) cannot be a double. A non-finite
 * number is not refused but silently written as null by JSON.stringify, so it is refused here.
 */

export type UnstorableKind = 'nul' | 'lone-surrogate' | 'non-finite-number';

export interface Unstorable {
  kind: UnstorableKind;
  /** Keys and indexes from the value's top to the offending string or number. */
  path: Array<string | number>;
  /** True when the offending text is the key at the end of `path`, not a value. */
  inKey: boolean;
}

/** What each kind is, for messages; never the value itself. */
export const UNSTORABLE_WHAT: Record<UnstorableKind, string> = {
  nul: 'a NUL character (U+0000), which PostgreSQL cannot store',
  'lone-surrogate': 'a lone surrogate (half of a UTF-16 pair, \\uD800-\\uDFFF, without the other half), which is not Unicode text and which PostgreSQL refuses',
  'non-finite-number': 'a number JSON cannot hold (Infinity or NaN), which would be stored as null',
};

/** One of the characters worth a closer look: most strings have none, and then cost one native scan. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const SUSPECT = /[\u0000\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(text: string): UnstorableKind | undefined {
  if (!SUSPECT.test(text)) return undefined;
  if (text.includes('\u0000')) return 'nul';
  return LONE_SURROGATE.test(text) ? 'lone-surrogate' : undefined;
}

/**
 * The first key, string or number in `value` that PostgreSQL would refuse (an object's keys are
 * looked at before its values), or undefined. Walks with its own stack, so a value nested ten thousand levels deep (from a
 * plain JSON.parse) costs memory, not the call stack.
 */
export function findUnstorable(value: unknown): Unstorable | undefined {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length) {
    const { value: node, path } = stack.pop()!;
    if (typeof node === 'string') {
      const kind = textProblem(node);
      if (kind) return { kind, path, inKey: false };
    } else if (typeof node === 'number') {
      if (!Number.isFinite(node)) return { kind: 'non-finite-number', path, inKey: false };
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ value: node[i], path: [...path, i] });
    } else if (node !== null && typeof node === 'object') {
      const keys = Object.keys(node);
      for (const key of keys) {
        const kind = textProblem(key);
        if (kind) return { kind, path: [...path, key], inKey: true };
      }
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (node as Record<string, unknown>)[keys[i]!], path: [...path, keys[i]!] });
    }
  }
  return undefined;
}
