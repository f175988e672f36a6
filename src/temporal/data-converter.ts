import { DefaultFailureConverter, type DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import type { Store } from '../store/store';
import { CustomerKeys } from './customer-keys';
import { AesGcmPayloadCodec } from './payload-codec';

/**
 * What every Waymark client and worker encodes payloads with: encrypted when
 * WAYMARK_TEMPORAL_PAYLOAD_KEYS lists a key (a customer's runs with their own data key, kept in
 * `store`; everything else with the first master key), in clear when it does not (an encrypted
 * payload then fails to decode with a message naming its key). In clear, the store is never
 * touched: the laptop's default path needs no table and no connection for it. Encrypted, a
 * failure's message and stack are encrypted too (the Web UI shows "Encoded failure" until it
 * decodes through the codec server): they may quote what a customer sent.
 */
export function temporalDataConverter(config: Pick<Config, 'temporal'>, store: Store): DataConverter {
  const keys = config.temporal.payloadKeys;
  if (keys.length === 0) return { payloadCodecs: [new AesGcmPayloadCodec(keys)] };
  const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
  return { payloadCodecs: [new AesGcmPayloadCodec(keys, new CustomerKeys(store, config))], ...{ failureConverter } };
}
