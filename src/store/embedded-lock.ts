import fs from 'node:fs';
import path from 'node:path';

/**
 * What the embedded PostgreSQL's lock file (data/postmaster.pid) says about a server in that data
 * folder, before anyone tries to start one there:
 * - absent: no lock file, nothing runs;
 * - running: its process is alive (it may not answer yet: starting, or a loaded machine);
 * - stale: its process is gone (killed with its server): PostgreSQL itself replaces such a file;
 * - indeterminate: a lock file that cannot be read (being written, cut short).
 * A wrong "stale" would start a second server over a live one; a wrong "running" only costs a
 * wait and then an error that says what to check. So only ESRCH proves a process dead.
 */
export type EmbeddedLock =
  | { kind: 'absent' }
  | { kind: 'running'; pid: number; port: number }
  | { kind: 'stale'; pid: number }
  | { kind: 'indeterminate'; why: string };

export interface LockProbes {
  /** The lock file's text, or undefined when there is none. */
  readLockFile(dataDir: string): string | undefined;
  /** Whether a process with this pid exists (signal 0: ESRCH means gone, EPERM means someone else's). */
  isAlive(pid: number): boolean;
}

export const systemProbes: LockProbes = {
  readLockFile(dataDir) {
    try {
      return fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  isAlive(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  },
};

/** Reads the lock file of the cluster in `dataDir`: its first line is the postmaster's pid, its fourth the port. */
export function inspectEmbeddedServer(dataDir: string, probes: LockProbes = systemProbes): EmbeddedLock {
  const text = probes.readLockFile(dataDir);
  if (text === undefined) return { kind: 'absent' };
  const [pidLine, , , portLine] = text.split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return { kind: 'indeterminate', why: `its lock file ${path.join(dataDir, 'postmaster.pid')} is incomplete` };
  return probes.isAlive(pid) ? { kind: 'running', pid, port } : { kind: 'stale', pid };
}
