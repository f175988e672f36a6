import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { accepts, ROOT, runWaymark, WAYMARK } from '../support/cli';
import { eventually } from '../support/dev-server';
import { killGroup, processesMentioning, processesWithEnv, runProcess, startProcess } from '../support/processes';
import { freePort } from '../../src/free-port';

const GRACE_S = 5;
/** The worker's drain is bounded by GRACE_S; the API and the dev server stop in seconds more (slack for a loaded machine). */
const STOP_WITHIN_MS = (GRACE_S + 15) * 1000;

interface Dev {
  child: ChildProcess;
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  metricsPort: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts `command` (npm run dev, or bin/waymark dev) against its own data folder and free ports; resolves once the banner is out. */
async function startDev(command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Dev> {
  const dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'dev-'));
  const [temporalPort, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_API_PORT: '0',
    WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    WAYMARK_TEMPORAL_UI_PORT: String(uiPort),
    WAYMARK_API_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    WAYMARK_DEMO_ON_START: 'false',
    WAYMARK_WORKER_SHUTDOWN_GRACE: `${GRACE_S}s`,
    ...extraEnv,
  };
  // Its own process group: npm, the node under it and what that starts go together. What
  // `waymark dev` starts detached from it (the dev server) is found by its data folder.
  const child = startProcess(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], what: `waymark dev (${[command, ...args].join(' ')})`, alsoKill: () => processesOf(dataDir) });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const deadline = Date.now() + 90_000;
  while (!out.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await killGroup(child.pid!, () => processesOf(dataDir));
      throw new Error(`waymark dev did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, dataDir, temporalPort, uiPort, metricsPort, output: () => out, exited };
}

/** The processes of one `waymark dev`, in its process group or not: they were given its data folder, on their command line or in their environment. */
function processesOf(dataDir: string): number[] {
  return [...new Set([...processesMentioning(dataDir), ...processesWithEnv('WAYMARK_DATA_DIR', dataDir)])];
}

/** The process npm started for the script, which must be node itself for a signal to it to stop `waymark dev`. */
function childOf(pid: number): { pid: number; cmdline: string } {
  const children = fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
  expect(children).toHaveLength(1);
  const child = Number(children[0]);
  return { pid: child, cmdline: fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim() };
}

async function expectAllStopped(dev: Dev, apiPort: number): Promise<void> {
  expect(await accepts(dev.temporalPort)).toBe(false);
  expect(await accepts(dev.uiPort)).toBe(false);
  expect(await accepts(dev.metricsPort)).toBe(false);
  expect(await accepts(apiPort)).toBe(false);
  expect(processesOf(dev.dataDir)).toEqual([]);
}

describe('waymark dev stops on a signal to its node process alone', () => {
  let running: Dev | undefined;
  afterEach(async () => {
    // Whatever a failed assertion left behind must not outlive the test: npm, the node under it
    // (which outlived a kill of npm alone, holding jest's output pipes) and the dev server.
    const dev = running;
    running = undefined;
    if (dev) await killGroup(dev.child.pid!, () => processesOf(dev.dataDir));
  });

  it('npm run dev: the demo fills the outbox with rendered messages; SIGINT to node drains, stops the API and the dev server it started, exits 0', async () => {
    // A database of its own on the test run's PostgreSQL: the store's migrations run, and are logged, at this start.
    const store = { WAYMARK_EMBEDDED_POSTGRES_DATABASE: `dev_${randomBytes(6).toString('hex')}` };
    const dev = (running = await startDev('npm', ['run', 'dev'], { WAYMARK_DEMO_ON_START: 'true', ...store }));
    const apiPort = Number(/Event API\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(dev.output())?.[1]);
    expect(await accepts(dev.temporalPort)).toBe(true);
    expect(await accepts(apiPort)).toBe(true);

    // The banner's Temporal CLI command works as printed (the CLI is not on PATH).
    const tryLine = /^Try: (npm run temporal -- .*)$/m.exec(dev.output())?.[1];
    expect(tryLine).toContain(`--address 127.0.0.1:${dev.temporalPort}`);
    expect(await runProcess('sh', ['-c', tryLine!], { cwd: ROOT })).toMatchObject({ code: 0 });

    // The demo's customers get their messages, rendered from the shipped templates, at their addresses.
    const ada = /signed_up\s+(ada-\w+)/.exec(dev.output())?.[1];
    expect(ada).toBeDefined();
    const outbox = await eventually(async () => {
      const { code, stdout } = await runWaymark(['outbox', '--customer', ada!], store);
      return code === 0 && stdout.includes('Subject:') ? stdout : undefined;
    }, "ada's welcome email in the outbox", 60_000);
    expect(outbox).toContain(`email to ${ada} (${ada}@example.com)`);
    expect(outbox).toMatch(/template onboarding-welcome@\w+/);
    expect(outbox).toMatch(/\| Subject: .*Ada/);

    // Log lines read as lines, not JSON, even through a pipe.
    expect(dev.output()).toMatch(/store: applied migration 1_store/);
    expect(dev.output()).not.toMatch(/^\{"level"/m);

    const node = childOf(dev.child.pid!);
    expect(node.cmdline).toMatch(/^\S*node .*src\/cli\/main\.ts dev$/);
    const sentAt = Date.now();
    process.kill(node.pid, 'SIGINT');
    const { code, at } = await dev.exited;
    expect({ code, output: dev.output() }).toEqual({ code: 0, output: expect.stringContaining('Stopped.') });
    expect(at - sentAt).toBeLessThan(STOP_WITHIN_MS);
    await expectAllStopped(dev, apiPort);
  });

  it('one Ctrl-C delivered twice (by the terminal and by npm) is still a clean stop; SIGTERM works the same', async () => {
    const dev = (running = await startDev(WAYMARK, ['dev']));
    const apiPort = Number(/Event API\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(dev.output())?.[1]);
    const sentAt = Date.now();
    dev.child.kill('SIGTERM');
    dev.child.kill('SIGTERM');
    const { code, at } = await dev.exited;
    expect({ code, output: dev.output() }).toEqual({ code: 0, output: expect.stringContaining('Stopped.') });
    expect(at - sentAt).toBeLessThan(STOP_WITHIN_MS);
    await expectAllStopped(dev, apiPort);
  });
});
