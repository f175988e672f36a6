import type { ConnectionLike } from '@temporalio/client';
import { connectivityState, type Client as GrpcClient } from '@grpc/grpc-js';

/**
 * Whether a request could have reached Temporal: only a connected (READY) channel transmits,
 * so a call during which the channel was never READY was never sent, and "nothing was
 * accepted" is then true. Any other failure leaves the outcome unknown.
 */
export function reachTracker(connection: ConnectionLike) {
  // A client Connection keeps its gRPC client protected; its channel is the one every call uses.
  const channel = (connection as unknown as { client: GrpcClient }).client.getChannel();
  let readyTimes = 0;
  const watch = () => {
    const state = channel.getConnectivityState(false);
    if (state === connectivityState.READY) readyTimes++;
    if (state !== connectivityState.SHUTDOWN) channel.watchConnectivityState(state, Infinity, watch);
  };
  watch();
  const isReady = () => channel.getConnectivityState(false) === connectivityState.READY;

  return {
    /** Call before a request; pass the result to `mayHaveSent` after it failed. */
    before: () => ({ ready: isReady(), readyTimes }),
    mayHaveSent: (mark: { ready: boolean; readyTimes: number }) => mark.ready || readyTimes !== mark.readyTimes || isReady(),
  };
}
