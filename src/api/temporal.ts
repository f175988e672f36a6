import { isGrpcServiceError, type Client } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import type { Config } from '../config';
import type { CustomerEvent } from '../events/schema';
import { submitEvent } from '../events/intake';
import { ApiError } from './errors';

/** gRPC outcomes that mean "Temporal is down, slow or overloaded: try again", not "this event is wrong". */
const RETRYABLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.RESOURCE_EXHAUSTED, status.ABORTED]);

function grpcCode(err: unknown): number | undefined {
  for (let e = err; e; e = (e as { cause?: unknown }).cause) if (isGrpcServiceError(e)) return e.code;
  return undefined;
}

function unavailable(config: Config, err: unknown, timeoutMs: number, hint = ''): ApiError {
  const why = grpcCode(err) === status.DEADLINE_EXCEEDED ? `no answer within ${timeoutMs / 1000}s` : (err as Error).message;
  return new ApiError('TEMPORAL_UNAVAILABLE', '', `Temporal at ${config.temporal.address} is unavailable (${why})${hint}`);
}

/**
 * The API's two uses of Temporal, each bounded by a deadline: hand over an event (resolves only
 * once Temporal recorded it) and check that Temporal answers. A timeout is not proof that the
 * event was not recorded, which is why a retry with the same messageId is the answer: the
 * customer router drops the duplicate.
 */
export function temporalGateway(client: Client, config: Config) {
  const { connection } = client;
  const { temporalTimeoutMs, readyTimeoutMs } = config.api;
  return {
    async submit(event: CustomerEvent): Promise<void> {
      try {
        await connection.withDeadline(Date.now() + temporalTimeoutMs, () => submitEvent(client, config, event));
      } catch (err) {
        const code = grpcCode(err);
        if (code !== undefined && RETRYABLE.has(code)) throw unavailable(config, err, temporalTimeoutMs, '; nothing was accepted, retry later with the same messageId');
        throw err;
      }
    },
    async checkTemporal(): Promise<void> {
      try {
        await connection.withDeadline(Date.now() + readyTimeoutMs, () =>
          connection.workflowService.describeNamespace({ namespace: config.temporal.namespace }),
        );
      } catch (err) {
        throw unavailable(config, err, readyTimeoutMs);
      }
    },
  };
}

export type TemporalGateway = ReturnType<typeof temporalGateway>;
