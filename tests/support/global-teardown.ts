import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmbeddedServer } from '../../src/store/embedded';
import type { RunningCluster } from '../../scripts/cluster';
import { within } from './cleanup';
import { commandLine, descendantsOf, processesMentioning, processesWithEnv } from './processes';

/**
 * After the last test file: stops the shared dev server and PostgreSQL (tests/support/global-setup.ts),
 * then reports what the run left open, so that a leak is named rather than hidden by jest's
 * forced exit: the resources still active in the jest process, and the processes of the run still
 * alive, which are killed (jest's children and theirs, and those that lost their parent but carry
 * the run's folder in their environment or command line: a detached server).
 */
export default async function globalTeardown(): Promise<void> {
  const global = globalThis as Record<string, unknown>;
  const devServer = global.__waymarkDevServer as TestWorkflowEnvironment | undefined;
  const postgres = global.__waymarkPostgres as EmbeddedServer | undefined;
  await timed('stopping the shared Temporal dev server', () => devServer?.teardown());
  await timed('stopping the Temporal cluster', () => (global.__waymarkCluster as RunningCluster | undefined)?.stop());
  await timed('stopping the shared PostgreSQL', () => postgres?.stop());

  // A child that has just exited (pg_ctl stop) is listed until its handle's close runs.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  const open = activeResources();
  if (open) report(`still active in the jest process after the run: ${open}`);
  const dir = process.env.WAYMARK_TEST_DIR;
  const left = processesOfTheRun(dir);
  if (left.length) {
    report(`processes of the run still alive, killed now:\n${left.map((pid) => `  ${pid} ${commandLine(pid).slice(0, 160)}`).join('\n')}`);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** `stop` within a minute; a failure, or a stop that took long, is reported. */
async function timed(what: string, stop: () => Promise<void> | undefined): Promise<void> {
  const started = Date.now();
  await within(Promise.resolve(stop()), 60_000, what).catch(report);
  const ms = Date.now() - started;
  if (ms > 5_000) report(`${what} took ${(ms / 1000).toFixed(1)} s`);
}

function report(what: unknown): void {
  process.stderr.write(`[global teardown] ${what instanceof Error ? what.message : String(what)}\n`);
}

/** process.getActiveResourcesInfo() by kind, besides the process's own stdout and stderr (a terminal, or CI's pipes). */
function activeResources(): string {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  for (const stream of [process.stdout, process.stderr]) {
    const type = (stream as unknown as { _type?: string })._type;
    const kind = stream.isTTY ? 'TTYWrap' : type === 'pipe' ? 'PipeWrap' : undefined;
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) - 1);
  }
  return [...counts]
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} x${n}`)
    .join(', ');
}

/** Processes this run started that are still alive (jest's own workers aside, which jest ends). */
function processesOfTheRun(dir: string | undefined): number[] {
  const found = new Set(descendantsOf(process.pid));
  if (dir) for (const pid of [...processesMentioning(dir), ...processesWithEnv('WAYMARK_TEST_DIR', dir)]) found.add(pid);
  return [...found].filter((pid) => pid !== process.pid && !commandLine(pid).includes('jest-worker'));
}
