import { z } from 'zod';

/** One key of WAYMARK_TEMPORAL_PAYLOAD_KEYS: an id written into each payload it encrypts, and 32 bytes of AES-256 key. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * "id:base64,id:base64": the first key encrypts what Waymark writes to Temporal from now on, every
 * key listed decrypts (a rotation puts the new key first and keeps the old ones while runs that
 * used them are open). Empty: payloads are written in clear. The messages never show a key.
 */
export const payloadKeys = z.string().transform((text, ctx): PayloadKey[] => {
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  const keys: PayloadKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const encoded = colon < 0 ? '' : entry.slice(colon + 1);
    if (!KEY_ID.test(id) || !BASE64.test(encoded)) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be "key id:base64 key" (an id of letters, digits, ".", "_" or "-"; make a key with: openssl rand -base64 32)` });
      return;
    }
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (key id "${id}") is ${key.length} bytes; AES-256 needs 32 (openssl rand -base64 32)` });
    else if (keys.some((k) => k.id === id)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the key id "${id}": each key needs an id of its own` });
    else keys.push({ id, key });
  });
  return keys;
});
