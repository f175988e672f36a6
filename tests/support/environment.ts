import path from 'node:path';
import NodeEnvironment from 'jest-environment-node';
import { newRegistry, REGISTRY_KEY, releaseAll, type CleanupRegistry } from './cleanup';

const TYPED_ARRAYS = ['Int8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'] as const;

/** Each release gets this long (a worker drains its activities, a server stops). */
const RELEASE_TIMEOUT_MS = 30_000;

/**
 * Jest's node environment, plus the end of each test file: once the file's own hooks have run
 * (afterEach, afterAll, their finally blocks), whatever it started and did not release (see
 * tests/support/cleanup.ts) is released here, in a safe order, with one line per thing on
 * stderr. A failed test therefore leaves no worker, server, connection or process behind it,
 * and a leak is visible, not hidden.
 */
export default class WaymarkEnvironment extends NodeEnvironment {
  private readonly registry: CleanupRegistry = newRegistry();
  private readonly file: string;

  constructor(...[config, context]: ConstructorParameters<typeof NodeEnvironment>) {
    super(config, context);
    this.file = path.relative(config.projectConfig.rootDir, context.testPath);
    // The file's modules see the environment's global as globalThis.
    const global = this.global as unknown as Record<string, unknown>;
    global[REGISTRY_KEY] = this.registry;
    // onnxruntime-node's binding makes its outputs' typed arrays in this (the host's) realm, and
    // onnxruntime-common checks them with `instanceof` against the file's: they are shared, as
    // jest shares ArrayBuffer and Uint8Array, so a model runs in a test as in a process.
    for (const name of TYPED_ARRAYS) global[name] = globalThis[name];
  }

  /**
   * run_finish comes after the last hook, while the file's modules can still load what a release
   * needs (once the runtime is torn down, before teardown(), a require fails).
   */
  async handleTestEvent(event: { name: string }): Promise<void> {
    if (event.name === 'run_finish') await this.release();
  }

  override async teardown(): Promise<void> {
    await this.release(); // anything registered after run_finish (a file whose run was cut short)
    await super.teardown();
  }

  private async release(): Promise<void> {
    if (!this.registry.entries.size) return;
    for (const { what, wasOpen, note, failed } of await releaseAll(this.registry, RELEASE_TIMEOUT_MS)) {
      if (wasOpen) process.stderr.write(`[cleanup] ${this.file}: ${failed ? 'FAILED to release' : 'released'} ${what}${note ? ` (${note})` : ''}, left open by the file\n`);
    }
  }
}
