import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { ENV } from '../../src/config-variables';
import { cliTypeOf, SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

const KNOWN = new Set(ENV.map(([name]) => name));

const ROOT = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] };
  ports?: string[];
  network_mode?: string;
  restart?: string;
}

interface Interpolation {
  /** Every variable the file reads from the shell (or .env). */
  read: Set<string>;
  /** What Compose would get wrong without failing: a variable with neither value nor default, a lone `$`. */
  problems: string[];
}

/**
 * One value as Compose interpolates it: `$$` is a `$`; `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}` and `$VAR` take the variable. A variable with neither a value nor a
 * default becomes an empty string, as in Compose (which only warns), and a problem here: it is
 * usually a shell `$` in a script that should have been written `$$`.
 */
function interpolate(text: string, env: Record<string, string>, seen: Interpolation): string {
  return text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_]\w*)|)/g, (match: string, _all: string, braced?: string, bare?: string) => {
    if (match === '$$') return '$';
    const parts = braced !== undefined ? /^(\w+)(?:(:?)([-?])([\s\S]*))?$/.exec(braced) : bare ? [match, bare] : null;
    if (!parts) {
      seen.problems.push(`"${match}" in "${text.slice(0, 60)}..." is not a variable Compose can read (write $$ for a $)`);
      return match;
    }
    const [, name, colon, op, arg] = parts as [string, string, string?, string?, string?];
    seen.read.add(name);
    const value = env[name];
    const unset = value === undefined || (colon === ':' && value === '');
    if (!unset) return value;
    if (op === '-') return arg ?? '';
    if (op === '?') throw new Error(`${name} is required by docker-compose.yml: ${arg}`);
    seen.problems.push(`${name} is not set and has no default (a shell variable? write $$${name})`);
    return '';
  });
}

function interpolateAll(value: unknown, env: Record<string, string>, seen: Interpolation): unknown {
  if (typeof value === 'string') return interpolate(value, env, seen);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env, seen));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env, seen)]));
  return value;
}

/** The compose file as `docker compose` reads it: merge keys applied, then every value interpolated from `env`. */
function composeFile(env: Record<string, string>): { services: Record<string, Service> } & Interpolation {
  const seen: Interpolation = { read: new Set(), problems: [] };
  const doc = interpolateAll(parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }), env, seen);
  return { services: (doc as { services: Record<string, Service> }).services, ...seen };
}

const composeServices = (env: Record<string, string>) => composeFile(env).services;

const dependsOn = (service: Service): Record<string, string> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(service.depends_on ?? {}).map(([name, d]) => [name, d.condition ?? 'service_started']));

const imageTag = (image: string) => /^[^:@]+:([^:@]+)$/.exec(image)?.[1];

/** The Temporal server version `npm run cluster` builds (scripts/cluster.ts): the compose file runs the same. */
const CLUSTER_VERSION = /const VERSION = '([\d.]+)'/.exec(fs.readFileSync(path.join(ROOT, 'scripts/cluster.ts'), 'utf8'))![1]!;

/** Whether `docker compose` is here, or why not. */
function composeUnavailable(): string | undefined {
  const run = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 });
  if (run.error) return `no docker command (${run.error.message})`;
  if (run.status !== 0) return `\`docker compose version\` exited ${run.status}: ${(run.stderr || run.stdout).trim().split('\n')[0]}`;
  return undefined;
}

describe('docker-compose.yml', () => {
  const key = 'a'.repeat(12) + '0123456789abcdef0123456789abcdef';
  const payloadKey = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  const required = { WAYMARK_API_KEYS: `${key}:events`, WAYMARK_TEMPORAL_PAYLOAD_KEYS: payloadKey };
  const { services, read, problems } = composeFile(required);
  const waymark = Object.entries(services).filter(([, s]) => s.command?.[0] === 'npm');
  const service = (name: string): Service => {
    const found = services[name];
    if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
    return found;
  };
  const script = (name: string) => (service(name).command ?? []).join('\n');

  it('runs the worker, the API, the pipeline and warehouse workers, the codec server and the migration, each through an npm script that exists', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(waymark.map(([name]) => name).sort()).toEqual(['api', 'codec-server', 'migrate', 'pipeline-worker', 'warehouse-worker', 'worker']);
    for (const [, s] of waymark) expect(Object.keys(scripts)).toContain(s.command![2]);
  });

  it("gives each Waymark process a configuration that passes Waymark's own checks for production", () => {
    for (const [name, s] of waymark) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
      // Every variable one Waymark knows: a misspelt name would otherwise be ignored and its default used.
      for (const variable of Object.keys(env)) expect({ name, variable, known: KNOWN.has(variable) }).toEqual({ name, variable, known: true });
      const config = loadConfig(env);
      // The codec server is on the host's network (the browser calls it): it reaches the store where compose publishes it on loopback.
      const url = name === 'codec-server' ? 'postgres://waymark:waymark@127.0.0.1:54329/waymark' : 'postgres://waymark:waymark@postgres:5432/waymark';
      expect({ name, env: config.env, url: config.store.url }).toEqual({ name, env: 'production', url });
    }
  });

  it('reads from the shell no WAYMARK_ variable Waymark does not know, and nothing without a default but the two keys', () => {
    expect(problems).toEqual([]);
    const waymarkVariables = [...read].filter((v) => v.startsWith('WAYMARK_'));
    expect(waymarkVariables).toEqual(expect.arrayContaining(['WAYMARK_API_KEYS', 'WAYMARK_CLUSTER_HISTORY_SHARDS']));
    expect(waymarkVariables.filter((v) => !KNOWN.has(v))).toEqual([]);
  });

  it('refuses to start without WAYMARK_API_KEYS rather than fall back to the development key', () => {
    expect(() => composeServices({ WAYMARK_TEMPORAL_PAYLOAD_KEYS: payloadKey })).toThrow('WAYMARK_API_KEYS is required');
  });

  it("refuses to start without WAYMARK_TEMPORAL_PAYLOAD_KEYS rather than write customers' data to Temporal in clear", () => {
    expect(() => composeServices({ WAYMARK_API_KEYS: `${key}:events` })).toThrow('WAYMARK_TEMPORAL_PAYLOAD_KEYS is required');
  });

  it('waits only for services that exist, for jobs that exit and for services with a healthcheck', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependsOn(s))) {
        expect({ name, target, exists: target in services }).toEqual({ name, target, exists: true });
        // A job that restarts never completes; a service without a healthcheck never turns healthy.
        if (condition === 'service_completed_successfully') expect({ name, target, restart: service(target).restart }).toEqual({ name, target, restart: undefined });
        if (condition === 'service_healthy') expect({ name, target, healthcheck: Boolean(service(target).healthcheck?.test) }).toEqual({ name, target, healthcheck: true });
      }
    }
  });

  it('runs the Temporal server that `npm run cluster` builds, on PostgreSQL with SQL visibility and several history shards, once its schema job has succeeded', () => {
    const server = service('temporal');
    expect(server.image).toBe(`temporalio/server:${CLUSTER_VERSION}`);
    const env = server.environment ?? {};
    expect({ DB: env.DB, DBNAME: env.DBNAME, VISIBILITY_DBNAME: env.VISIBILITY_DBNAME }).toEqual({ DB: 'postgres12', DBNAME: 'temporal', VISIBILITY_DBNAME: 'temporal_visibility' });
    expect(Number(env.NUM_HISTORY_SHARDS)).toBeGreaterThan(1);
    expect(server.healthcheck?.test).toBeDefined();
    expect(dependsOn(server)).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    // The schema job sets up the very databases the server opens, where the server looks for them.
    const schema = service('temporal-schema');
    expect(schema.image).toMatch(new RegExp(`^temporalio/admin-tools:${CLUSTER_VERSION.replace(/\./g, '\\.')}-`));
    const serverOnly = new Set(['NUM_HISTORY_SHARDS', 'BIND_ON_IP']);
    expect(schema.environment).toEqual(Object.fromEntries(Object.entries(env).filter(([name]) => !serverOnly.has(name))));
    expect(service(String(env.POSTGRES_SEEDS)).image).toMatch(/^postgres:/);
    for (const step of ['create-database', 'setup-schema', 'update-schema', '/etc/temporal/schema/postgresql/v12/temporal/versioned', '/etc/temporal/schema/postgresql/v12/visibility/versioned']) {
      expect(script('temporal-schema')).toContain(step);
    }
  });

  it("starts Waymark's Temporal processes only once the namespace and the search attributes are set up and the store is migrated", () => {
    expect(dependsOn(service('temporal-setup'))).toEqual({ temporal: 'service_healthy' });
    // The migration needs the store only.
    for (const [name, s] of waymark.filter(([n]) => n !== 'migrate')) {
      const waits = dependsOn(s);
      expect({ name, setup: waits['temporal-setup'], migrate: waits.migrate }).toEqual({ name, setup: 'service_completed_successfully', migrate: 'service_completed_successfully' });
    }
  });

  it('creates exactly the search attributes of src/temporal/search-attributes.ts, with their types, in the namespace Waymark uses', () => {
    const setup = service('temporal-setup');
    const env = setup.environment ?? {};
    expect(String(env.SEARCH_ATTRIBUTES).split(/\s+/)).toEqual(SEARCH_ATTRIBUTES.map((a) => `${a.name}=${cliTypeOf(a)}`));
    expect(script('temporal-setup')).toContain('for pair in $SEARCH_ATTRIBUTES; do create+=(--name "${pair%=*}" --type "${pair#*=}"); done');
    for (const [name, s] of waymark) expect({ name, namespace: env.NAMESPACE }).toEqual({ name, namespace: s.environment?.WAYMARK_TEMPORAL_NAMESPACE });
  });

  it("points the Temporal UI's codec endpoint at the codec server, where the operator's browser reaches it, and the codec server lets the UI's origin in", () => {
    const ui = service('temporal-ui');
    const endpoint = new URL(String(ui.environment?.TEMPORAL_CODEC_ENDPOINT));
    const codec = service('codec-server');
    // The browser calls the endpoint: the codec server listens on the host's own network (its port there is the one
    // the browser reaches; "auth none" is allowed on loopback only), at the endpoint's port.
    expect(codec.network_mode).toBe('host');
    const [codecHost, codecPort] = String(codec.environment?.WAYMARK_CODEC_SERVER_ADDRESS).split(':');
    expect({ host: endpoint.hostname, port: endpoint.port }).toEqual({ host: codecHost, port: codecPort });
    // The UI's origin is the port it is published on.
    const uiPort = /^(?:127\.0\.0\.1:)?(\d+):8080$/.exec(ui.ports?.[0] ?? '')?.[1];
    expect(uiPort).toBeDefined();
    const origins = String(codec.environment?.WAYMARK_CODEC_SERVER_ORIGINS).split(',');
    expect(origins).toEqual(expect.arrayContaining([`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`]));
    expect(ui.image).toMatch(/^temporalio\/ui:/);
  });

  it('pins every image to a version (no latest)', () => {
    for (const [name, s] of Object.entries(services)) {
      const tag = s.image ? imageTag(s.image) : undefined;
      expect({ name, image: s.image, pinned: tag !== undefined && tag !== 'latest' }).toEqual({ name, image: s.image, pinned: true });
    }
  });

  const unavailable = composeUnavailable();
  (unavailable ? it.skip : it)(`is accepted by \`docker compose config\`${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    const run = spawnSync('docker', ['compose', '--env-file', '/dev/null', '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...required },
      timeout: 60_000,
    });
    // A variable Compose would leave empty is a warning, not a failure, there: fail on it here.
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/is not set/) });
  });
});
