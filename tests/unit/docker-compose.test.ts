import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { ENV } from '../../src/config-variables';

const KNOWN = new Set(ENV.map(([name]) => name));

const ROOT = path.resolve(__dirname, '../..');

interface Service {
  command?: string[];
  environment?: Record<string, string>;
}

/** The compose file as `docker compose` reads it: merge keys applied, ${VAR:-default} and ${VAR:?...} filled from `env`. */
function composeServices(env: Record<string, string>): Record<string, Service> {
  const text = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').replace(/\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g, (_, name: string, fallback?: string) => {
    const value = env[name] ?? fallback;
    if (value === undefined) throw new Error(`${name} is required by docker-compose.yml`);
    return value;
  });
  return (parse(text, { merge: true }) as { services: Record<string, Service> }).services;
}

describe('docker-compose.yml', () => {
  const key = 'a'.repeat(12) + '0123456789abcdef0123456789abcdef';
  const payloadKey = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
  const services = composeServices({ WAYMARK_API_KEYS: `${key}:events`, WAYMARK_TEMPORAL_PAYLOAD_KEYS: payloadKey });
  const waymark = Object.entries(services).filter(([, s]) => s.command?.[0] === 'npm');

  it('runs the worker, the API, the pipeline and warehouse workers and the migration, each through an npm script that exists', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(waymark.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'pipeline-worker', 'warehouse-worker', 'worker']);
    for (const [, service] of waymark) expect(Object.keys(scripts)).toContain(service.command![2]);
  });

  it("gives each Waymark process a configuration that passes Waymark's own checks for production", () => {
    for (const [name, service] of waymark) {
      const env = service.environment ?? {};
      // Every variable one Waymark knows: a misspelt name would otherwise be ignored and its default used.
      for (const variable of Object.keys(env)) expect({ name, variable, known: KNOWN.has(variable) }).toEqual({ name, variable, known: true });
      const config = loadConfig(env);
      expect({ name, env: config.env, url: config.store.url }).toEqual({ name, env: 'production', url: 'postgres://waymark:waymark@postgres:5432/waymark' });
    }
  });

  it('refuses to start without WAYMARK_API_KEYS rather than fall back to the development key', () => {
    expect(() => composeServices({ WAYMARK_TEMPORAL_PAYLOAD_KEYS: payloadKey })).toThrow('WAYMARK_API_KEYS is required');
  });

  it("refuses to start without WAYMARK_TEMPORAL_PAYLOAD_KEYS rather than write customers' data to Temporal in clear", () => {
    expect(() => composeServices({ WAYMARK_API_KEYS: `${key}:events` })).toThrow('WAYMARK_TEMPORAL_PAYLOAD_KEYS is required');
  });
});
