import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { track } from './cleanup';

/**
 * Registers every Temporal worker, test server and connection a test file creates, however it
 * creates it (the harness, a helper, Worker.create in the test, the product's own code in this
 * process), with tests/support/cleanup.ts. tests/support/harness.ts imports it (so every file
 * using Temporal through the harness, dev-server.ts or api.ts loads it before its tests run): it
 * patches the file's own instance of the SDK's modules (jest gives each file its own).
 *
 * A worker a failed test left is shut down (or, never run, run for no time: only then does it let
 * go of its connection); then the connections are closed and the servers stopped. Each one
 * untracks itself once its owner has closed it, so only what was left shows in the file's report.
 */

const PATCHED = Symbol.for('waymark.trackTemporal');
type Patchable = Record<string | symbol, unknown>;

/** Replaces the static factory `owner[name]` with one that hands what it made to `register` (sync or async alike). */
function wrapFactory<T>(owner: object, name: string, register: (made: T, args: unknown[]) => void): void {
  const original = (owner as Patchable)[name] as (...args: unknown[]) => T | Promise<T>;
  (owner as Patchable)[name] = function (this: unknown, ...args: unknown[]): T | Promise<T> {
    const made = original.apply(this, args);
    if (typeof (made as Promise<T> | undefined)?.then !== 'function') {
      register(made as T, args);
      return made;
    }
    return (made as Promise<T>).then((value) => (register(value, args), value));
  };
}

/**
 * Tracks `target` until its `method` (close, teardown) has succeeded once; later calls get that
 * same result. A call that failed (a worker still holds the connection) can be made again.
 */
function closeOnce(target: object, method: string, what: string, stage: 'connection' | 'temporal'): void {
  const methods = target as Record<string, () => Promise<void>>;
  const close = methods[method]!.bind(target);
  let closing: Promise<void> | undefined;
  const untrack = track(what, () => methods[method]!(), stage);
  methods[method] = () =>
    (closing ??= close().then(untrack, (err: unknown) => {
      closing = undefined;
      throw err;
    }));
}

function address(args: unknown[]): string {
  return String((args[0] as { address?: string } | undefined)?.address ?? 'localhost:7233');
}

if (!(Worker as unknown as Patchable)[PATCHED]) {
  (Worker as unknown as Patchable)[PATCHED] = true;

  wrapFactory<Worker>(Worker, 'create', (worker) => {
    let running: Promise<void> | undefined;
    const run = worker.run.bind(worker);
    const untrack = track(
      `worker on task queue ${worker.options.taskQueue}`,
      async () => {
        const state = worker.getState();
        if (state === 'INITIALIZED') {
          // Never run: only a run lets go of the connection (and of the runtime).
          await worker.runUntil(async () => {});
          return 'created, never run';
        }
        if (state === 'RUNNING') worker.shutdown();
        await running?.catch(() => undefined);
        return state === 'STOPPED' || state === 'FAILED' ? false : `was ${state.toLowerCase()}`;
      },
      'worker',
    );
    // runUntil runs through run() too.
    worker.run = () => (running = run().finally(untrack));
  });

  wrapFactory<NativeConnection>(NativeConnection, 'connect', (connection, args) => closeOnce(connection, 'close', `Temporal connection (worker side) to ${address(args)}`, 'connection'));
  // connect() goes through lazy(); so does a Client made without a connection.
  wrapFactory<Connection>(Connection, 'lazy', (connection, args) => closeOnce(connection, 'close', `Temporal connection (client side) to ${address(args)}`, 'connection'));
  // createTimeSkipping, createLocal and createFromExistingServer all go through create().
  wrapFactory<TestWorkflowEnvironment>(TestWorkflowEnvironment, 'create', (env, args) => {
    const kind = (args[0] as { server?: { type?: string } }).server?.type ?? 'test';
    closeOnce(env, 'teardown', `Temporal ${kind} server at ${env.address}`, 'temporal');
  });
}
