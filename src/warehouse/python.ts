import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { temporalTls } from '../temporal/connect';

/**
 * How Waymark's Python processes are started (workers/warehouse_worker.py, workers/warehouse_direct.py):
 * python3 with the packages of workers/requirements.txt, which scripts/setup.sh (development) and
 * the Dockerfile (production) install into .tools/py/warehouse. Nothing here installs anything.
 */
const ROOT = path.resolve(__dirname, '../..');
export const PYTHON_PACKAGES = path.join(ROOT, '.tools/py/warehouse');
/** The dbt project (dbt_project.yml, profiles.yml). */
export const DBT_PROJECT = path.join(ROOT, 'warehouse');

export interface PythonCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export class PythonMissingError extends Error {
  readonly code = 'PYTHON_PACKAGES_MISSING';
  constructor() {
    super(`no Python packages for the warehouse worker in ${PYTHON_PACKAGES}: run 'npm run setup' (it needs python3 and pip), or use the Docker image, which has them`);
    this.name = 'PythonMissingError';
  }
}

/** A script of workers/ with the worker's packages (workers/requirements.txt). */
export function pythonCommand(script: string, args: string[], env: Record<string, string> = {}): PythonCommand {
  if (!fs.existsSync(PYTHON_PACKAGES)) throw new PythonMissingError();
  const pythonPath = [PYTHON_PACKAGES, path.join(ROOT, 'workers')].join(path.delimiter);
  // -u: lines reach the parent as they are written (it waits for the "running" line).
  return { command: 'python3', args: ['-u', path.join(ROOT, 'workers', script), ...args], env: { ...process.env, ...env, PYTHONPATH: pythonPath }, cwd: ROOT };
}

/** WAYMARK_TEMPORAL_PAYLOAD_KEYS as src/temporal/payload-keys.ts reads it ("id:base64,..."), from the config's keys. */
export function payloadKeysVariable(config: Pick<Config, 'temporal'>): string {
  return config.temporal.payloadKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

/** The Python activity worker, with the settings it takes from Waymark's config. */
export function warehouseWorkerCommand(config: Config): PythonCommand {
  const settings = {
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.warehouse.taskQueue,
    trainingTaskQueue: config.training.taskQueue,
    heartbeatEveryMs: config.pipeline.progressEveryMs,
    shutdownGraceMs: config.worker.shutdownGraceMs,
    projectDir: DBT_PROJECT,
    // The files are checked here first (a bad one stops the start naming its variable); Python reads them.
    tls: temporalTls(config) ? { ...config.temporal.tls, enabled: true } : { enabled: false },
  };
  // Secrets go in the environment, not the argument (which `ps` shows), and from the config, which may
  // have read them from the settings file rather than this process's environment; empty: in clear, no API key.
  return pythonCommand('warehouse_worker.py', [JSON.stringify(settings)], { WAYMARK_TEMPORAL_PAYLOAD_KEYS: payloadKeysVariable(config), WAYMARK_TEMPORAL_API_KEY: config.temporal.apiKey });
}

/** The same builds without Temporal (src/warehouse/dbt-direct.ts), of the dbt project in `projectDir`. */
export function directBuildsCommand(projectDir = DBT_PROJECT): PythonCommand {
  return pythonCommand('warehouse_direct.py', [projectDir]);
}

/** dbt's own command line (`dbt <args>`) on the dbt project, with the worker's packages: for docs, or a look by hand. */
export function dbtCommand(args: string[], env: Record<string, string> = {}): PythonCommand {
  if (!fs.existsSync(PYTHON_PACKAGES)) throw new PythonMissingError();
  return {
    command: 'python3',
    args: ['-c', 'from dbt.cli.main import cli; cli()', ...args, '--project-dir', DBT_PROJECT, '--profiles-dir', DBT_PROJECT],
    env: { ...process.env, ...env, PYTHONPATH: PYTHON_PACKAGES, DBT_SEND_ANONYMOUS_USAGE_STATS: 'false' },
    cwd: ROOT,
  };
}

/** What the worker logs once it polls its task queue. */
export const WAREHOUSE_WORKER_READY = 'warehouse worker running';

export interface WarehouseWorkerProcess {
  process: ChildProcess;
  /** Resolves once it polls its task queue; rejects if it exits first. */
  ready: Promise<void>;
  /** SIGTERM (the build under way gets WAYMARK_WORKER_SHUTDOWN_GRACE), then SIGKILL if it is still there `graceMs` later. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Starts the Python activity worker, its output passed on to `log` line by line. Its standard
 * input is a pipe from this process: when this process ends, however it ends, the worker stops.
 */
export function startWarehouseWorker(config: Config, log: (line: string) => void, start: (command: string, args: string[], options: SpawnOptions) => ChildProcess = spawn): WarehouseWorkerProcess {
  const { command, args, env, cwd } = warehouseWorkerCommand(config);
  const child = start(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let seen = '';
  const ready = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line.trim()) log(line);
      seen = (seen + text).slice(-4000);
      if (seen.includes(WAREHOUSE_WORKER_READY)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`the warehouse worker (Python) exited (${code ?? signal}) before it polled:\n${seen}`)));
  });
  ready.catch(() => undefined); // awaited by the caller
  return {
    process: child,
    ready,
    stop: (graceMs) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
