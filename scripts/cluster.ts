import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig, type Config } from '../src/config';
import { startOrReuseEmbedded } from '../src/store/embedded';
import { ensureSearchAttributes } from '../src/temporal/dev-server';

/**
 * `npm run cluster`: a Temporal cluster in the production shape on this machine: the Temporal
 * server built from source (scripts/cluster-build.sh), its four services in one process, on
 * PostgreSQL (an embedded server of its own, <data dir>/cluster/postgres) for persistence and
 * visibility, with WAYMARK_CLUSTER_HISTORY_SHARDS history shards. Its frontend listens at
 * WAYMARK_TEMPORAL_ADDRESS, so every Waymark command pointed there uses it. Runs until Ctrl-C,
 * which stops the server and its PostgreSQL. `npm run test:cluster` starts one for its run.
 */
const ROOT = path.resolve(__dirname, '..');
const VERSION = '1.29.1'; // scripts/cluster-build.sh builds this one

export interface RunningCluster {
  address: string;
  process: ChildProcess;
  /** Its PostgreSQL (the databases temporal and temporal_visibility), as a connection URL to the postgres database. */
  postgresUrl: string;
  stop(): Promise<void>;
}

function serverDir(): string {
  const dir = process.env.WAYMARK_CLUSTER_SERVER_DIR || path.join(ROOT, '.tools/temporal-server', VERSION);
  if (!fs.existsSync(path.join(dir, 'bin/temporal-server'))) {
    const built = spawnSync('bash', [path.join(ROOT, 'scripts/cluster-build.sh')], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('could not build the Temporal server (scripts/cluster-build.sh): see above');
  }
  return dir;
}

/**
 * The server's ports, from the frontend's: the others at fixed offsets from it, as the server's own
 * development configs lay them out; the membership ports below 32768 (the server stores them as a
 * PostgreSQL smallint).
 */
function ports(frontend: number) {
  const membership = 10_000 + (frontend % 20_000);
  return { frontend, history: frontend + 1, matching: frontend + 2, worker: frontend + 6, membership: (offset: number) => membership + offset, http: frontend + 10, metrics: frontend + 767 };
}

function configYaml(config: Config, pgUrl: URL): string {
  const [host, portText] = config.temporal.address.split(':') as [string, string];
  const p = ports(Number(portText));
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "127.0.0.1:${pgUrl.port}"
        connectProtocol: "tcp"
        user: "${decodeURIComponent(pgUrl.username)}"
        password: "${decodeURIComponent(pgUrl.password)}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (name: string, grpc: number, membership: number, extra = '') => `  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: "${host}"${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${config.cluster.historyShards}
  datastores:
    default:
${store('temporal', 40)}
    visibility:
${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "${host}"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "${host}:${p.metrics}"
services:
${service('frontend', p.frontend, p.membership(0), `\n      httpPort: ${p.http}`)}
${service('history', p.history, p.membership(1))}
${service('matching', p.matching, p.membership(2))}
${service('worker', p.worker, p.membership(6))}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "${host}:${p.frontend}"
      httpAddress: "${host}:${p.http}"
dcRedirectionPolicy:
  policy: "noop"
`;
}

/** Creates the two databases and applies the module's schema to them (the SQL tool records the versions the server checks). */
function setUpSchema(dir: string, pgUrl: URL, say: (line: string) => void): void {
  const tool = (database: string, ...args: string[]) => {
    const run = spawnSync(
      path.join(dir, 'bin/temporal-sql-tool'),
      ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', pgUrl.port, '-u', decodeURIComponent(pgUrl.username), '--pw', decodeURIComponent(pgUrl.password), '--db', database, ...args],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  };
  for (const [database, schema] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    say(`Setting up the ${database} database (schema/postgresql/v12/${schema})...`);
    tool(database, 'create-database');
    tool(database, 'setup-schema', '-v', '0.0');
    tool(database, 'update-schema', '-d', path.join(dir, 'schema/postgresql/v12', schema, 'versioned'));
  }
}

export async function startCluster(config: Config, say: (line: string) => void): Promise<RunningCluster> {
  const dir = serverDir();
  const home = path.join(config.dataDir, 'cluster');
  fs.mkdirSync(path.join(home, 'config'), { recursive: true });
  const pg = await startOrReuseEmbedded({ dir: path.join(home, 'postgres'), port: config.cluster.postgresPort, database: 'postgres', startTimeoutMs: 60_000, probeMs: 1_000 });
  const pgUrl = new URL(pg.url);
  const marker = path.join(home, 'schema-done');
  if (!fs.existsSync(marker)) {
    setUpSchema(dir, pgUrl, say);
    fs.writeFileSync(marker, `${VERSION} shards=${config.cluster.historyShards}\n`);
  } else if (!fs.readFileSync(marker, 'utf8').includes(`shards=${config.cluster.historyShards}\n`)) {
    throw new Error(`the cluster in ${home} was made with ${fs.readFileSync(marker, 'utf8').trim()}; the shard count cannot change (WAYMARK_CLUSTER_HISTORY_SHARDS): delete ${home} to start over`);
  }
  fs.writeFileSync(path.join(home, 'config/development.yaml'), configYaml(config, pgUrl));
  say(`Starting Temporal ${VERSION} at ${config.temporal.address} (PostgreSQL 127.0.0.1:${pgUrl.port}, ${config.cluster.historyShards} history shards; log in ${home}/server.log)...`);
  const log = fs.openSync(path.join(home, 'server.log'), 'a');
  const child = spawn(path.join(dir, 'bin/temporal-server'), ['--root', home, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start'], { stdio: ['ignore', log, log], detached: true });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    await pg.stop();
  };
  try {
    await ready(config, say);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address: config.temporal.address, process: child, postgresUrl: pg.url, stop };
}

/** Waits for the frontend, registers the namespace (as an operator would, once) and Waymark's search attributes. */
async function ready(config: Config, say: (line: string) => void): Promise<void> {
  const { address, namespace } = config.temporal;
  const deadline = Date.now() + config.cluster.startTimeoutMs;
  let connection: Connection | undefined;
  while (!connection) {
    connection = await Connection.connect({ address, connectTimeout: 2_000 }).catch(() => undefined);
    if (!connection && Date.now() > deadline) throw new Error(`Temporal did not answer at ${address} within WAYMARK_CLUSTER_START_TIMEOUT: see ${path.join(config.dataDir, 'cluster/server.log')}`);
    if (!connection) await new Promise((r) => setTimeout(r, 1_000));
  }
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3d') }).catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
    // The frontend caches namespaces for a few seconds: search attributes and starts wait for it.
    for (;;) {
      try {
        await ensureSearchAttributes(connection, namespace);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    say(`Temporal cluster ready at ${address} (namespace ${namespace}).`);
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const cluster = await startCluster(config, (line) => console.error(line));
  console.error('Press Ctrl-C to stop it.');
  const stop = () => void cluster.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error((err as Error).message ?? err);
    process.exit(1);
  });
}
