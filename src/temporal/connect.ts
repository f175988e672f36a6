import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { temporalDataConverter } from './data-converter';

export class TemporalUnreachableError extends Error {
  readonly code = 'TEMPORAL_UNREACHABLE';
  constructor(address: string, cause: unknown) {
    super(`cannot reach Temporal at ${address} (WAYMARK_TEMPORAL_ADDRESS): ${(cause as Error)?.message ?? cause}. Is the server running? 'npm run dev' starts one.`);
    this.name = 'TemporalUnreachableError';
  }
}

/** A client for starting and signalling workflows. */
export async function connectClient(config: Config): Promise<Client> {
  const { address, namespace, connectTimeoutMs } = config.temporal;
  try {
    const connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs });
    return new Client({ connection, namespace, dataConverter: temporalDataConverter(config) });
  } catch (err) {
    throw new TemporalUnreachableError(address, err);
  }
}

/** A connection for workers. */
export async function connectWorker(config: Config): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: config.temporal.address });
  } catch (err) {
    throw new TemporalUnreachableError(config.temporal.address, err);
  }
}
