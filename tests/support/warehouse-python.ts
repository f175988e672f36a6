import type { ChildProcess } from 'node:child_process';
import { loadConfig, type Config } from '../../src/config';
import { startDirectBuilds, type DirectBuilds } from '../../src/warehouse/dbt-direct';
import { openDuckDb } from '../../src/warehouse/duckdb';
import { leaseWarehouse } from '../../src/warehouse/lease';
import { WAREHOUSE_WORKER_READY, warehouseWorkerCommand } from '../../src/warehouse/python';
import type { DirectRun } from '../../src/warehouse/run-batch';
import { killGroup, startProcess } from './processes';

/**
 * The warehouse's Python processes in tests, real ones (tracked by tests/support/processes.ts, so
 * a failed test leaves none behind): the activity worker on a dev server, and the direct builds.
 */

export interface PythonWorker {
  child: ChildProcess;
  /** What it has printed so far (its log lines). */
  output(): string;
  /** SIGKILL to it and what it started (dbt's multiprocessing helper), resolved once they are gone. */
  kill(): Promise<void>;
}

/** `npm run warehouse-worker`'s Python process for `config` (its Temporal, its queue); resolves once it polls. */
export async function startWarehouseWorker(config: Config): Promise<PythonWorker> {
  const { command, args, env, cwd } = warehouseWorkerCommand(config);
  // stdin: a pipe from this process, which the worker reads to its end (it stops when we are gone).
  const child = startProcess(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'], what: `warehouse worker on ${config.warehouse.taskQueue}` });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(WAREHOUSE_WORKER_READY)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`the warehouse worker exited (${code ?? signal}) before it ran:\n${output.slice(-3000)}`)));
  });
  return {
    child,
    output: () => output,
    kill: async () => {
      await killGroup(child.pid!);
    },
  };
}

/** The direct builds' Python process (src/warehouse/dbt-direct.ts), of warehouse/ or of the dbt project in `projectDir`. */
export async function startDirectBuildsProcess(projectDir?: string): Promise<DirectBuilds> {
  let child: ChildProcess | undefined;
  const dbt = await startDirectBuilds((command, args, options) => (child = startProcess(command, args, { ...options, what: 'direct dbt builds' })), projectDir);
  return {
    run: (stage, request) => dbt.run(stage, request),
    async close() {
      await dbt.close();
      await killGroup(child!.pid!); // dbt's multiprocessing helper, which may outlive it by a moment
    },
  };
}

/** A batch run directly on a DuckDB file of its own (src/warehouse/run-batch.ts), dbt by `dbt`; health settings: the defaults, or `config`'s. */
export function directRunOn(file: string, dbt: DirectBuilds, config: Config = loadConfig({})): DirectRun {
  return {
    warehouse: leaseWarehouse('duckdb', () => openDuckDb(file)),
    dbt,
    target: { kind: 'duckdb', duckdbFile: file, datasetPrefix: 'waymark_' },
    health: config.health,
    sourceFreshnessHours: config.warehouse.sourceFreshnessMs / 3_600_000,
    rowLimits: config.warehouse.rows,
  };
}
