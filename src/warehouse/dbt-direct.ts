import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import readline from 'node:readline';
import type { BuildRequest, BuildResult } from '../../workflows/pipeline/warehouse-remote';
import { WarehouseError } from './port';
import { directBuildsCommand } from './python';

/**
 * The warehouse's dbt stages without Temporal: workers/warehouse_direct.py, the activities' own
 * code in a Python process kept warm between batches (as the worker is), one request at a time.
 * The direct path of tests and of bench:ingest's baseline (src/warehouse/run-batch.ts).
 */
export interface DirectBuilds {
  run(stage: 'transform' | 'history', request: BuildRequest): Promise<BuildResult>;
  close(): Promise<void>;
}

type Spawn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/** `start` spawns the process (tests pass one that tracks it); `projectDir`: another dbt project than warehouse/ (tests). */
export async function startDirectBuilds(start: Spawn = spawn, projectDir?: string): Promise<DirectBuilds> {
  const { command, args, env, cwd } = directBuildsCommand(projectDir);
  // What dbt prints (tracebacks of the failures the answers already carry) is kept for a crash's message only.
  const child = start(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let printed = '';
  child.stderr!.on('data', (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-4000)));
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the direct dbt process exited (${code ?? signal}):\n${printed}`))));
  exited.catch(() => undefined);
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await Promise.race([lines.next(), exited]);
    if (line.done) throw new Error('the direct dbt process closed its output');
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  await next(); // {"ready": true}
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run(stage, request) {
      const turn = tail.then(async () => {
        child.stdin!.write(`${JSON.stringify({ stage, input: request })}\n`);
        const answer = await next();
        if (typeof answer.error === 'string') throw new WarehouseError(answer.error, answer.retryable === true);
        return answer.result as BuildResult;
      });
      tail = turn.catch(() => undefined);
      return turn;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin!.end();
      await gone;
    },
  };
}
