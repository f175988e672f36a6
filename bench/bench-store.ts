import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../src/config';
import { actorOf, publishCatalog } from '../src/runtime';
import { publishTemplates } from '../src/templates/publish';
import { TemplateStore } from '../src/templates/template-store';
import { JourneyStore } from '../src/store/journeys';
import { Store } from '../src/store/store';
import { createBaselineTable } from './baseline-activities';

/**
 * The store settings every bench process gets: the embedded PostgreSQL under the bench's own data
 * folder, on a port of its own (a developer's `npm run dev` store keeps 54329), never a
 * WAYMARK_DATABASE_URL from the environment (a bench must not write into a real database).
 */
export function benchStoreEnv(port: number): Record<string, string> {
  return {
    WAYMARK_DATABASE_URL: '',
    WAYMARK_EMBEDDED_POSTGRES_DIR: '',
    WAYMARK_EMBEDDED_POSTGRES_PORT: String(port),
    WAYMARK_EMBEDDED_POSTGRES_DATABASE: 'waymark',
    WAYMARK_DB_MIGRATE_ON_START: 'embedded',
  };
}

/**
 * Starts the bench's embedded PostgreSQL, migrates it, creates the baseline's table and publishes
 * the journeys and their templates, so the worker and API processes started later find all of it ready.
 */
export async function startBenchStore(config: Config): Promise<{ store: Store; published: string[] }> {
  const store = new Store(config);
  await store.pool();
  await createBaselineTable(store);
  const report = await publishCatalog(config, new JourneyStore(store));
  // Their templates too: a send without content fails (SEND_NO_CONTENT), and the welcome email is what the bench waits for.
  const templates = await publishTemplates(config, new TemplateStore(store), actorOf(config));
  if (templates.refused.length) throw new Error(`the bench could not publish its templates: ${templates.refused.map((r) => `${r.source}: ${r.issues.map((i) => i.message).join('; ')}`).join(' | ')}`);
  return { store, published: [...report.published.map((p) => `${p.journeyId}@${p.version}`), `${templates.published.length} templates`] };
}

/** The postmaster's pid while the server under `embeddedDir` runs (pg_ctl removes the file when it stops). */
export function postmasterPid(embeddedDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(embeddedDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Ends a server still running under `embeddedDir`, synchronously (it runs in 'exit' handlers):
 * SIGQUIT is PostgreSQL's immediate shutdown. pg_ctl runs the server detached, so without this
 * a bench that died would leave it running on a folder about to be removed.
 */
export function killLeftoverPostgres(embeddedDir: string, waitMs: number): void {
  const pid = postmasterPid(embeddedDir);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGQUIT');
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + waitMs; alive(pid) && Date.now() < deadline; ) Atomics.wait(tick, 0, 0, 50);
}
