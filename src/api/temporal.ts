import { isGrpcServiceError, type Client } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import { NamespaceNotFoundError } from '@temporalio/common';
import type { Config } from '../config';
import type { CustomerEvent } from '../events/schema';
import { submitEvent } from '../events/intake';
import type { Logger } from '../logger';
import { ApiError } from './errors';
import { reachTracker } from './temporal-reach';

/** gRPC outcomes that mean "Temporal is down, slow or overloaded: try again", not "this event is wrong". */
const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED, status.ABORTED]);

function grpcCode(err: unknown): number | undefined {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) if (isGrpcServiceError(e)) return e.code;
  return undefined;
}

/**
 * A read of Temporal's visibility (counts) for an answer: when Temporal fails it (down, overloaded,
 * or the namespace not found while the server starts), the client gets 503 TEMPORAL_UNAVAILABLE
 * and may retry, not 500; Temporal's own words (which may name its address) go to the log only.
 */
export async function fromVisibility<T>(logger: Logger, what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    const failure = temporalFailure(err);
    if (failure === undefined) throw err;
    logger.warn({ err, failure }, `Temporal's visibility did not answer when counting ${what}`);
    throw new ApiError('TEMPORAL_UNAVAILABLE', '', `Temporal's visibility did not answer (${failure}) when counting ${what}; retry in a moment`);
  }
}

/** How a call to Temporal failed on Temporal's side ("gRPC UNAVAILABLE", "namespace not found"), undefined for any other error. */
export function temporalFailure(err: unknown): string | undefined {
  if (err instanceof NamespaceNotFoundError) return 'namespace not found';
  const code = grpcCode(err);
  return code === undefined ? undefined : `gRPC ${status[code] ?? code}`;
}

/**
 * The API's two uses of Temporal, each bounded by a deadline: hand over an event (resolves only
 * once Temporal recorded it) and check that Temporal answers. Clients learn what happened, not
 * where Temporal runs: the address and the gRPC error go to the log (the CLI passes no logger:
 * it prints the message to the person who ran it).
 */
export function temporalGateway(client: Client, config: Config, logger?: Logger) {
  const { connection } = client;
  const { temporalTimeoutMs, readyTimeoutMs } = config.api;
  const reach = reachTracker(connection);
  const why = (err: unknown, timeoutMs: number) => (grpcCode(err) === status.DEADLINE_EXCEEDED ? `no answer within ${timeoutMs / 1000}s` : 'it cannot be reached');

  return {
    async submit(event: CustomerEvent): Promise<void> {
      const mark = reach.before();
      try {
        await connection.withDeadline(Date.now() + temporalTimeoutMs, () => submitEvent(client, config, event));
      } catch (err) {
        const code = grpcCode(err);
        if (code === undefined || !RETRYABLE.has(code)) throw err;
        const sent = reach.mayHaveSent(mark);
        logger?.warn({ temporal: config.temporal.address, grpcCode: code, reason: (err as Error).message, maybeRecorded: sent }, 'event not confirmed by Temporal');
        // A request that left may have been recorded even though no answer came back; only an unsent one surely was not.
        const outcome = sent
          ? 'the event may or may not have been recorded; retrying with the same messageId is safe (a recorded duplicate is dropped)'
          : 'the event was not sent, so nothing was accepted; retry later with the same messageId';
        throw new ApiError('TEMPORAL_UNAVAILABLE', '', `Temporal did not confirm the event (${why(err, temporalTimeoutMs)}): ${outcome}`);
      }
    },
    async checkTemporal(): Promise<void> {
      try {
        await connection.withDeadline(Date.now() + readyTimeoutMs, () =>
          connection.workflowService.describeNamespace({ namespace: config.temporal.namespace }),
        );
      } catch (err) {
        logger?.warn({ temporal: config.temporal.address, namespace: config.temporal.namespace, grpcCode: grpcCode(err), reason: (err as Error).message }, 'not ready: Temporal does not answer');
        throw new ApiError('TEMPORAL_UNAVAILABLE', '', `Temporal does not answer (${why(err, readyTimeoutMs)})`);
      }
    },
  };
}

export type TemporalGateway = ReturnType<typeof temporalGateway>;
