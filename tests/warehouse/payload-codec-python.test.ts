import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec';
import { payloadKeys } from '../../src/temporal/payload-keys';
import { payloadKeysVariable, warehouseWorkerCommand } from '../../src/warehouse/python';

/**
 * The Python warehouse worker's codec (workers/payload_codec.py) against the TypeScript one
 * (src/temporal/payload-codec.ts): each reads what the other writes. The real Python, with the
 * interpreter and PYTHONPATH the worker runs with; payloads cross as JSON, their bytes in base64.
 */

interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}
interface Request {
  keys: string;
  op: 'encode' | 'decode';
  payloads: WirePayload[];
}
type Result = { payloads: WirePayload[] } | { error: string } | { codec: null };

// Reads a list of requests on stdin, answers each in order on stdout.
const SCRIPT = `
import asyncio, base64, json, sys
from temporalio.api.common.v1 import Payload
from payload_codec import data_converter, payload_keys_from_env

def load(p):
    return Payload(metadata={k: base64.b64decode(v) for k, v in p['metadata'].items()}, data=base64.b64decode(p['data']))

def dump(p):
    return {'metadata': {k: base64.b64encode(v).decode() for k, v in p.metadata.items()}, 'data': base64.b64encode(p.data).decode()}

async def run(request):
    try:
        codec = data_converter(payload_keys_from_env({'WAYMARK_TEMPORAL_PAYLOAD_KEYS': request['keys']})).payload_codec
        if codec is None:
            return {'codec': None}
        payloads = [load(p) for p in request['payloads']]
        out = await (codec.encode(payloads) if request['op'] == 'encode' else codec.decode(payloads))
        return {'payloads': [dump(p) for p in out]}
    except Exception as err:
        return {'error': f'{type(err).__name__}: {err}'}

async def main():
    print(json.dumps([await run(r) for r in json.load(sys.stdin)]))

asyncio.run(main())
`;

function python(requests: Request[]): Result[] {
  const { command, env, cwd } = warehouseWorkerCommand(loadConfig({}));
  const run = spawnSync(command, ['-c', SCRIPT], { input: JSON.stringify(requests), env, cwd, encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`python exited ${run.status ?? run.signal}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Result[];
}

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const toWire = (p: Payload): WirePayload => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) });
const fromWire = (p: WirePayload): Payload => ({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') });
const payloadsOf = (result: Result | undefined): WirePayload[] => {
  if (!result || !('payloads' in result)) throw new Error(`expected payloads, got ${JSON.stringify(result)}`);
  return result.payloads;
};
const errorOf = (result: Result | undefined): string => (result && 'error' in result ? result.error : `no error: ${JSON.stringify(result)}`);

const entry = (id: string, key: Buffer) => `${id}:${key.toString('base64')}`;
const OLD = randomBytes(32);
const NEW = randomBytes(32);
const OTHER = randomBytes(32);
const codec = (text: string) => new AesGcmPayloadCodec(payloadKeys.parse(text));
// What an activity input looks like: JSON with personal data, and a binary payload.
const PLAIN: Payload[] = [defaultPayloadConverter.toPayload({ email: 'ada@example.com', traits: { plan: 'pro', ünï: 'cödé' } }), defaultPayloadConverter.toPayload(new Uint8Array([0, 1, 2, 255]))];

describe('payload codec: Python warehouse worker and TypeScript', () => {
  test('each decodes what the other encodes; a rotated-out key still decrypts; unknown ids, wrong keys and bad key lists fail clearly; clear payloads pass', async () => {
    const fromTs = await codec(entry('k-old', OLD)).encode(PLAIN);
    const [pyDecoded, pyEncoded, rotated, unknown, wrongKey, clear, none, badList] = python([
      { keys: entry('k-old', OLD), op: 'decode', payloads: fromTs.map(toWire) },
      { keys: ` ${entry('k-new', NEW)} ,, ${entry('k-old', OLD)}`, op: 'encode', payloads: PLAIN.map(toWire) },
      // Rotation: the new key first, the old one kept for the runs that used it.
      { keys: `${entry('k-new', NEW)},${entry('k-old', OLD)}`, op: 'decode', payloads: fromTs.map(toWire) },
      { keys: entry('k-new', NEW), op: 'decode', payloads: fromTs.map(toWire) },
      { keys: entry('k-old', OTHER), op: 'decode', payloads: fromTs.map(toWire) },
      { keys: entry('k-new', NEW), op: 'decode', payloads: PLAIN.map(toWire) },
      { keys: '', op: 'decode', payloads: [] },
      { keys: `${entry('k1', NEW)},k2:${OTHER.subarray(0, 16).toString('base64')}`, op: 'decode', payloads: [] },
    ]);

    // TypeScript encodes, Python decodes to the same payloads.
    expect(payloadsOf(pyDecoded)).toEqual(PLAIN.map(toWire));
    expect(payloadsOf(rotated)).toEqual(PLAIN.map(toWire));

    // Python encodes (with the first key), TypeScript decodes, with the new key alone or after a rotation.
    const encoded = payloadsOf(pyEncoded).map(fromWire);
    for (const p of encoded) {
      expect(Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ encoding: 'binary/encrypted', 'encryption-key-id': 'k-new', 'encryption-cipher': 'AES-256-GCM' });
      expect(Buffer.from(p.data!).includes('ada@example.com')).toBe(false);
    }
    expect((await codec(entry('k-new', NEW)).decode(encoded)).map(toWire)).toEqual(PLAIN.map(toWire));
    expect((await codec(`${entry('k-newer', OTHER)},${entry('k-new', NEW)}`).decode(encoded)).map(toWire)).toEqual(PLAIN.map(toWire));
    // A fresh nonce each time: the same payload twice is two ciphertexts.
    expect(b64(encoded[0]!.data)).not.toEqual(b64((await codec(entry('k-new', NEW)).encode([PLAIN[0]!]))[0]!.data));

    // Failures name the key id and the variable, never a key.
    expect(errorOf(unknown)).toMatch(/^PayloadDecryptError: .*key id "k-old".*WAYMARK_TEMPORAL_PAYLOAD_KEYS/);
    expect(errorOf(wrongKey)).toMatch(/^PayloadDecryptError: .*key id "k-old" does not decrypt/);
    expect(errorOf(badList)).toMatch(/^PayloadKeysError: WAYMARK_TEMPORAL_PAYLOAD_KEYS: entry 2 \(key id "k2"\) is 16 bytes/);
    for (const message of [errorOf(unknown), errorOf(wrongKey), errorOf(badList)]) {
      for (const key of [OLD, NEW, OTHER, OTHER.subarray(0, 16)]) expect(message).not.toContain(key.toString('base64'));
    }

    // Payloads in clear pass through decoding; no keys, no codec.
    expect(payloadsOf(clear)).toEqual(PLAIN.map(toWire));
    expect(none).toEqual({ codec: null });
  });

  test("the worker's process gets the config's keys in its environment, not its arguments", () => {
    const keys = `${entry('k-new', NEW)}, ${entry('k-old', OLD)}`;
    const config = loadConfig({}, { WAYMARK_TEMPORAL_PAYLOAD_KEYS: keys });
    const { env, args } = warehouseWorkerCommand(config);
    expect(payloadKeys.parse(env.WAYMARK_TEMPORAL_PAYLOAD_KEYS!)).toEqual(payloadKeys.parse(keys));
    expect(payloadKeysVariable(config)).toBe(env.WAYMARK_TEMPORAL_PAYLOAD_KEYS);
    expect(args.join(' ')).not.toContain(NEW.toString('base64'));
    // Without keys it is set, empty: a value this process happens to have does not reach the worker.
    expect(warehouseWorkerCommand(loadConfig({})).env.WAYMARK_TEMPORAL_PAYLOAD_KEYS).toBe('');
  });
});
