import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { track } from './cleanup';

/**
 * A child process in a process group of its own (`detached`), registered with
 * tests/support/cleanup.ts until it and everything it started have exited: a process a failed
 * test leaves behind is SIGKILLed with its whole group (npm's child, the node under a shell
 * script), so none outlives the test file holding jest's output pipes. `what` names it in the
 * report; `alsoKill` finds what it started outside its group (a detached server).
 */
export function startProcess(command: string, args: string[], options: SpawnOptions & { what?: string; alsoKill?: () => number[] } = {}): ChildProcess {
  const { what = [command, ...args].join(' ').slice(0, 120), alsoKill, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true });
  const pid = child.pid;
  if (pid === undefined) return child; // it did not start: 'error' says why
  const untrack = track(`process ${what} (pid ${pid})`, () => killGroup(pid, alsoKill), 'process');
  child.once('exit', () => {
    if (!groupMembers(pid).length && !alsoKill?.().length) untrack();
  });
  return child;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (startProcess): how it exited and what it printed. */
export function runProcess(command: string, args: string[], options: SpawnOptions & { what?: string } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = startProcess(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * SIGKILLs process group `pgid` and the processes `alsoKill` names; says what it found alive
 * (false: nothing). Resolves once they are gone (a zombie of ours counts as gone).
 */
export async function killGroup(pgid: number, alsoKill?: () => number[]): Promise<string | false> {
  const alive = [...new Set([...groupMembers(pgid), ...(alsoKill?.() ?? [])])];
  if (!alive.length) return false;
  const names = alive.map((pid) => `${pid} ${commandLine(pid).slice(0, 80)}`);
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is empty: only the others are left
  }
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const deadline = Date.now() + 10_000;
  while (alive.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return `killed ${alive.length} process(es): ${names.join(', ')}`;
}

/** One /proc/<pid>/stat: the parent and the process group (fields 4 and 5, after the name in parentheses). */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), pgrp: Number(pgrp), state: state! };
  } catch {
    return undefined; // it ended while we looked
  }
}

/** Every process on the machine (that has not ended while we looked). */
export function allProcesses(): ProcStat[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => procStat(Number(name)))
    .filter((p): p is ProcStat => p !== undefined);
}

/** Live (not zombie) processes of group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allProcesses()
    .filter((p) => p.pgrp === pgid && p.state !== 'Z')
    .map((p) => p.pid);
}

/** Live processes below `pid` (children, their children, ...). */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allProcesses()) {
    if (p.state === 'Z') continue;
    children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  }
  const found: number[] = [];
  for (let queue = [...(children.get(pid) ?? [])]; queue.length; ) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

/** Processes whose command line mentions `text` (a data folder a server was given). */
export function processesMentioning(text: string): number[] {
  return allProcesses()
    .filter((p) => p.pid !== process.pid && p.state !== 'Z' && commandLine(p.pid).includes(text))
    .map((p) => p.pid);
}

/** Processes started with `name=value` in their environment (what a process started inherits, wherever it went). */
export function processesWithEnv(name: string, value: string): number[] {
  const entry = `\0${name}=${value}\0`;
  return allProcesses()
    .filter((p) => p.pid !== process.pid && p.state !== 'Z')
    .filter((p) => {
      try {
        return `\0${fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8')}`.includes(entry);
      } catch {
        return false; // ended, or not ours to read
      }
    })
    .map((p) => p.pid);
}

export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}
