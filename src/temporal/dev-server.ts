import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Config } from '../config';
import { Excerpt } from '../output-excerpt';
import { temporalBinary } from './binaries';
import { cliTypeOf, SEARCH_ATTRIBUTES } from './search-attributes';

async function reachable(address: string, timeoutMs: number): Promise<Connection | undefined> {
  try {
    return await Connection.connect({ address, connectTimeout: timeoutMs });
  } catch {
    return undefined;
  }
}

/** Registers Waymark's search attributes where they are missing (dev server only). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((a) => !(a.name in (existing.customAttributes ?? {})));
  if (!missing.length) return;
  const { INDEXED_VALUE_TYPE_KEYWORD, INDEXED_VALUE_TYPE_KEYWORD_LIST } = temporal.api.enums.v1.IndexedValueType;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((a) => [a.name, cliTypeOf(a) === 'KeywordList' ? INDEXED_VALUE_TYPE_KEYWORD_LIST : INDEXED_VALUE_TYPE_KEYWORD])),
  });
}

export interface LocalServer {
  /** The process we started, or undefined when a server was already running. */
  process?: ChildProcess;
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * Reuses the Temporal server at the configured address, or starts a local dev server there
 * (startDevServer).
 */
export async function startOrReuseDevServer(config: Config, say: (line: string) => void, options: DevServerOptions = {}): Promise<LocalServer> {
  const { address, namespace, uiPort, devServerProbeMs } = config.temporal;
  const existing = await reachable(address, devServerProbeMs);
  if (existing) {
    say(`Temporal is already running at ${address}; reusing it.`);
    await ensureSearchAttributes(existing, namespace);
    await existing.close();
    return { uiUrl: `http://localhost:${uiPort}`, stop: async () => {} };
  }
  return startDevServer(config, say, options);
}

/**
 * Starts a local dev server at the configured address, persisted in <dataDir>/temporal.db, with
 * the Web UI on the configured UI port. `npm run dev` and the benchmarks both start it here, so
 * the benchmarks measure the server `npm run dev` runs.
 */
export interface DevServerOptions {
  /** The codec server the Web UI decodes payloads with (`npm run dev` starts one when payloads are encrypted). */
  codecEndpoint?: string;
}

export async function startDevServer(config: Config, say: (line: string) => void, { codecEndpoint }: DevServerOptions = {}): Promise<LocalServer & { process: ChildProcess; db: string }> {
  const { address, namespace, uiPort, httpPort, metricsPort, devServerSqlitePragmas } = config.temporal;
  const [host, port] = address.split(':') as [string, string];
  fs.mkdirSync(config.dataDir, { recursive: true });
  const db = path.join(config.dataDir, 'temporal.db');
  say(`Starting a Temporal dev server at ${address} (data in ${db})...`);
  const args = ['server', 'start-dev', '--ip', host, '--port', port, '--ui-port', String(uiPort), '--namespace', namespace, '--db-filename', db, '--log-level', 'warn'];
  if (httpPort !== undefined) args.push('--http-port', String(httpPort));
  if (metricsPort !== undefined) args.push('--metrics-port', String(metricsPort));
  if (codecEndpoint) args.push('--ui-codec-endpoint', codecEndpoint);
  for (const a of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${a.name}=${cliTypeOf(a)}`);
  // SQLite's default rollback journal syncs the disk on every commit, and every workflow task
  // commits: on a VM disk that made the event -> first message latency 8.2 s (median, at 20
  // events/s) against 0.57 s with journal_mode=wal,synchronous=normal. In WAL mode with normal
  // sync, a power loss may lose the last commits but does not corrupt the database: fine for a
  // development server.
  for (const pragma of devServerSqlitePragmas) args.push('--sqlite-pragma', pragma);
  const { devServerStartAttempts } = config.temporal;
  let child: ChildProcess;
  for (let attempt = 1; ; attempt++) {
    try {
      child = await launch(args, config);
      break;
    } catch (err) {
      // The CLI picks its internal ports itself, and another process can take one between its pick
      // and its bind (a CI run saw it exit at start, now and then): a new start picks others.
      if (!(err instanceof ExitedWhileStarting) || attempt >= devServerStartAttempts) throw err;
      say(`The Temporal dev server exited while starting (${err.why}); starting it again (attempt ${attempt + 1} of ${devServerStartAttempts}).`);
    }
  }
  return {
    process: child,
    db,
    uiUrl: `http://localhost:${uiPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

class ExitedWhileStarting extends Error {
  constructor(
    readonly why: string,
    printed: string,
  ) {
    super(`the Temporal dev server exited (${why}):\n${printed}`);
  }
}

/** Starts the dev server and waits until it answers; throws ExitedWhileStarting, with what it printed, when it exits first. */
async function launch(args: string[], config: Config): Promise<ChildProcess> {
  const { address, namespace, devServerStartTimeoutMs, devServerProbeMs } = config.temporal;
  // Its own process group: a terminal's Ctrl-C must reach only `waymark dev`, which stops this
  // server last, after the worker has drained against it.
  const child = spawn(temporalBinary('temporal'), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const stderr = new Excerpt(4_000);
  child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk.toString()));
  // 'exit' may come before the last of what it printed: 'close' waits for that too.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const deadline = Date.now() + devServerStartTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await closed;
      const printed = stderr.text();
      const firstLine = printed.trim().split('\n')[0];
      throw new ExitedWhileStarting(`code ${child.exitCode}${firstLine ? `: ${firstLine.slice(0, 200)}` : ''}`, printed);
    }
    const connection = await reachable(address, devServerProbeMs);
    if (connection) {
      await ensureSearchAttributes(connection, namespace);
      await connection.close();
      return child;
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`the Temporal dev server did not come up at ${address}:\n${stderr.text()}`);
    }
    await new Promise((r) => setTimeout(r, devServerProbeMs / 3));
  }
}
