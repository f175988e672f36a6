import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const TSX = path.resolve(__dirname, '../node_modules/.bin/tsx');

/** A bench process: an entry point run by tsx (which runs node under it) in its own process group. */
export interface Child {
  name: string;
  /** tsx's pid; the process tree under it is what the bench measures. */
  pid: number;
  /** The last output, for the error when it dies. */
  tail(): string;
  /** Called for each line it writes to stdout. */
  onLine(listener: (line: string) => void): void;
  /** Rejects the moment the process exits while the bench still needs it. */
  died: Promise<never>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/**
 * Runs `entry` (a .ts path from the repository root) as a child process with `env`. Its own
 * process group lets stop() end tsx and the node under it together; a SIGKILL on exit makes
 * sure no bench process outlives the bench, even when it fails or is interrupted.
 */
export function startChild(name: string, entry: string, env: NodeJS.ProcessEnv, graceMs: number): Child {
  const child = spawn(TSX, [path.resolve(__dirname, '..', entry)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let tail = '';
  const listeners: Array<(line: string) => void> = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) listeners.forEach((l) => l(line));
  });
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4_000)));
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => (running.delete(child), resolve())));
  const died = exited.then(() => {
    throw new Error(stopping ? `${name} stopped` : `the ${name} process exited (code ${child.exitCode}):\n${tail}`);
  });
  died.catch(() => undefined); // only callers racing it care
  return {
    name,
    pid: child.pid!,
    tail: () => tail,
    onLine: (listener) => listeners.push(listener),
    died,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL'); // node under tsx, should it have outlived tsx
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is gone already
  }
}

process.on('exit', () => running.forEach((child) => signalGroup(child, 'SIGKILL')));

