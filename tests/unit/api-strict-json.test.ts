import { DepthGuard, parseStrictJson } from '../../src/api/strict-json';

/** The strict reader refuses what JSON.parse would silently change, and otherwise reads exactly what JSON.parse reads. */

const refusal = async (text: string, maxDepth = 16) => {
  const parsed = await parseStrictJson(text, maxDepth);
  return parsed.ok ? undefined : parsed.refusal;
};

describe('parseStrictJson', () => {
  it.each([
    ['a repeated key', '{"a":1,"b":2,"a":3}', { code: 'JSON_DUPLICATE_KEY', path: ['a'], found: 'a' }],
    ['a key repeated through an escape', '{"x":{"plan":1,"\\u0070lan":2}}', { code: 'JSON_DUPLICATE_KEY', path: ['x', 'plan'], found: 'plan' }],
    ['a repeated key in an array item', '{"e":[{},{"k":1,"k":1}]}', { code: 'JSON_DUPLICATE_KEY', path: ['e', 1, 'k'], found: 'k' }],
    ['__proto__', '{"p":{"__proto__":{"admin":true}}}', { code: 'JSON_FORBIDDEN_KEY', path: ['p', '__proto__'], found: '__proto__' }],
    ['constructor', '[{"constructor":{}}]', { code: 'JSON_FORBIDDEN_KEY', path: [0, 'constructor'], found: 'constructor' }],
    ['an integer that gets rounded', '{"id":9007199254740993}', { code: 'JSON_UNSAFE_NUMBER', path: ['id'], found: '9007199254740993' }],
    ['an exact integer beyond 2^53 (written back with other digits)', '{"id":18446744073709551616}', { code: 'JSON_UNSAFE_NUMBER', path: ['id'], found: '18446744073709551616' }],
    ['a negative integer beyond -2^53', '[-9007199254740993]', { code: 'JSON_UNSAFE_NUMBER', path: [0], found: '-9007199254740993' }],
    ['an overflow to Infinity', '{"n":1e309}', { code: 'JSON_UNSAFE_NUMBER', path: ['n'], found: '1e309' }],
    ['an underflow to 0', '{"n":-2.5e-400}', { code: 'JSON_UNSAFE_NUMBER', path: ['n'], found: '-2.5e-400' }],
    ['nesting one level too deep', '[[[[{}]]]]', { code: 'JSON_TOO_DEEP', path: [0, 0, 0, 0] }],
  ])('refuses %s', async (_name, text, expected) => {
    expect(await refusal(text, 4)).toEqual(expected);
  });

  it('refuses depth before reading anything else, even in text that is not JSON', async () => {
    expect((await refusal('{"a":'.repeat(1_000_000), 16))?.code).toBe('JSON_TOO_DEEP');
    expect((await refusal(`${'['.repeat(500_000)}x`, 16))?.code).toBe('JSON_TOO_DEEP');
  });

  it('reports invalid JSON as such, not as a duplicate it happens to contain', async () => {
    expect(await refusal('{"a":1,"a":')).toEqual({ code: 'INVALID_JSON', path: [] });
    expect(await refusal('')).toEqual({ code: 'INVALID_JSON', path: [] });
  });

  it('finds a duplicate key far into a large text, scanned in slices', async () => {
    const members = Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(await refusal(`{"big":{${members}},"later":{"x":1,"x":2}}`)).toEqual({ code: 'JSON_DUPLICATE_KEY', path: ['later', 'x'], found: 'x' });
  });

  it('tells keys apart whose hashes collide, and still finds their duplicates', async () => {
    // The same 30-bit FNV-1a as src/api/json-keys.ts, to find two distinct keys with one hash.
    const hash = (key: string) => [...key].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 0x811c9dc5) & 0x3fffffff;
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const key = `k${i}`;
      const other = seen.get(hash(key));
      if (other) pair = [other, key];
      seen.set(hash(key), key);
    }
    const [a, b] = pair;
    expect(await parseStrictJson(`{"${a}":1,"${b}":2}`, 4)).toEqual({ ok: true, value: { [a]: 1, [b]: 2 } });
    expect(await refusal(`{"${a}":1,"${b}":2,"${b}":3}`)).toEqual({ code: 'JSON_DUPLICATE_KEY', path: [b], found: b });
    expect(await refusal(`{"${a}":1,"${b}":2,"${a}":3}`)).toEqual({ code: 'JSON_DUPLICATE_KEY', path: [a], found: a });
  });

  it('reads valid JSON exactly as JSON.parse does, including look-alikes inside strings', async () => {
    const texts = [
      '{"s":"\\"a\\":1,\\"a\\":2, [[[[[[ 1e309 __proto__"}',
      '{"a":{"b":1},"c":{"b":2},"d":[{"b":3},{"b":4}]}',
      '[0, -0, 0.1, 6.022e23, 9007199254740991, -9007199254740991, 1E2, 2.5e-300, 0e5]',
      '{"":1,"\\\\":2,"\\"":3,"é":"\\ud83d\\ude00"}',
      '  {"nested":[[],[{}],{"x":[null,true,false]}]}  ',
      '"just a string"',
      '12',
    ];
    for (const text of texts) expect(await parseStrictJson(text, 16)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it('allows exactly the depth configured', async () => {
    expect(await parseStrictJson('[[[[]]]]', 4)).toEqual({ ok: true, value: [[[[]]]] });
  });
});

describe('DepthGuard', () => {
  const feedAll = (pieces: string[], maxDepth: number) => {
    const guard = new DepthGuard(maxDepth);
    return pieces.findIndex((piece) => !guard.feed(piece));
  };

  it('stops at the first piece that nests too deep', () => {
    expect(feedAll(['{"a":[[', '[', '[]]]]}'], 3)).toBe(1);
    expect(feedAll(['[[[', ']]]'], 3)).toBe(-1);
  });

  it('ignores brackets inside strings, across pieces and escaped quotes', () => {
    expect(feedAll(['{"s":"[[[[\\', '"[[[[', '"}'], 2)).toBe(-1);
    expect(feedAll(['{"s":"\\\\"', ',"t":[[', '[]]]}'], 3)).toBe(2);
  });
});
