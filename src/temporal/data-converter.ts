import { DefaultFailureConverter, type DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { AesGcmPayloadCodec } from './payload-codec';

/**
 * What every Waymark client and worker encodes payloads with: encrypted with
 * WAYMARK_TEMPORAL_PAYLOAD_KEYS when it lists a key, in clear when it does not (an encrypted
 * payload then fails to decode with a message naming its key). Encrypted, a failure's message and
 * stack are encrypted too (the Web UI shows "Encoded failure" until it decodes through the codec
 * server): they may quote what a customer sent.
 */
export function temporalDataConverter(config: Pick<Config, 'temporal'>): DataConverter {
  const keys = config.temporal.payloadKeys;
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keys)],
    ...(keys.length > 0 ? { failureConverter: new DefaultFailureConverter({ encodeCommonAttributes: true }) } : {}),
  };
}
