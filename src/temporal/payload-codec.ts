import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CustomerKeyErasedError, CustomerKeyUnavailableError, customerOfWorkflowId, isCustomerKeyId, type CustomerKeys } from './customer-keys';
import type { PayloadKey } from './payload-keys';

/**
 * The encrypted payload format, shared with the Python warehouse worker (workers/payload_codec.py):
 * metadata `encoding` = "binary/encrypted", `encryption-key-id` = the key's id,
 * `encryption-cipher` = "AES-256-GCM"; data = 12-byte nonce, then the AES-256-GCM ciphertext of the
 * original payload (its temporal.api.common.v1.Payload protobuf bytes) with the key id as
 * additional authenticated data, then the 16-byte tag.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');

/** A payload this process cannot decrypt: its key is not listed, or the data does not authenticate. */
export class PayloadDecryptError extends Error {
  override readonly name = 'PayloadDecryptError';
  /** Its customer was erased: their data key is destroyed, and no key will ever read it again. */
  readonly erased: boolean;
  constructor(message: string, options: { erased?: boolean } = {}) {
    super(message);
    this.erased = options.erased ?? false;
  }
}

/** Whether a payload is one this codec wrote (anything else passes through decode unchanged). */
export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

/**
 * Encrypts with the first master key, or, for a customer's runs (the serialization context's
 * workflow id: their router, journey runs and consent syncs) with that customer's own data key
 * (src/temporal/customer-keys.ts), which erasure destroys. Without a context (or one naming no
 * workflow) it is the master key. Decrypts with the key its metadata names, master or customer,
 * so runs that began under an older key (or in clear, before encryption was turned on) go on
 * after a rotation as long as that key stays listed. With no master key it writes in clear, and an
 * encrypted payload it meets fails with a message naming its key id rather than the SDK's
 * "unknown encoding".
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly keys: readonly PayloadKey[],
    private readonly customerKeys?: CustomerKeys,
  ) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    if (this.keys.length === 0) return payloads;
    const customerId = this.customerKeys ? customerOfWorkflowId(context?.workflowId) : undefined;
    const { id, key } = customerId ? await this.customerKeys!.forCustomer(customerId) : this.keys[0]!;
    return payloads.map((payload) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(utf8(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id), [CIPHER_METADATA]: utf8(CIPHER) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const decoded: Payload[] = [];
    for (const payload of payloads) {
      if (!isEncrypted(payload)) {
        decoded.push(payload);
        continue;
      }
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      decoded.push(isCustomerKeyId(id) ? decrypt(payload, id, await this.customerKey(id), "the customer's data key of that id") : decrypt(payload, id, this.masterKey(id), 'the key of that id in WAYMARK_TEMPORAL_PAYLOAD_KEYS'));
    }
    return decoded;
  }

  private masterKey(id: string): Buffer {
    const key = this.byId.get(id);
    if (!key) {
      throw new PayloadDecryptError(`a payload is encrypted with key id "${id}", which WAYMARK_TEMPORAL_PAYLOAD_KEYS does not list (it lists ${this.byId.size ? [...this.byId.keys()].join(', ') : 'none'}): add that key back to decrypt it`);
    }
    return key;
  }

  private async customerKey(id: string): Promise<Buffer> {
    if (!this.customerKeys) {
      throw new PayloadDecryptError(`a payload is encrypted with a customer's data key ("${id}"), and WAYMARK_TEMPORAL_PAYLOAD_KEYS is empty: set the master keys that wrap customers' keys (and the store that holds them) to decrypt it`);
    }
    try {
      return (await this.customerKeys.byId(id)).key;
    } catch (err) {
      if (err instanceof CustomerKeyErasedError) throw new PayloadDecryptError(err.message, { erased: true });
      if (err instanceof CustomerKeyUnavailableError) throw new PayloadDecryptError((err as Error).message);
      throw err;
    }
  }
}

function decrypt(payload: Payload, id: string, key: Buffer, whose: string): Payload {
  const data = Buffer.from(payload.data ?? new Uint8Array());
  if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptError(`an encrypted payload (key id "${id}") is ${data.length} bytes: too short to hold a nonce and a tag`);
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(utf8(id));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadDecryptError(`a payload encrypted with key id "${id}" does not decrypt with ${whose} (a different key under the same id, or altered data)`);
  }
  return temporal.api.common.v1.Payload.decode(plain);
}
