import fs from 'node:fs';

/** Memory and CPU of a process and all its descendants (tsx runs node under it), from /proc. */
export interface TreeStats {
  /** Resident memory now, summed over the tree. */
  rssBytes: number;
  /** Each process's own peak resident memory (VmHWM), summed: the tree's peak, or a little above it. */
  peakBytes: number;
  /**
   * User + system CPU time used so far, summed over the tree, with that of finished descendants
   * (their parent's cutime/cstime once reaped): PostgreSQL's backends end with their connections,
   * and a sum over the living alone would go down.
   */
  cpuSeconds: number;
}

// Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream architecture.
const TICKS_PER_SECOND = 100;

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process ended while we looked
  }
}

function descendants(pid: number): number[] {
  const tasks = (() => {
    try {
      return fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  })();
  const children = tasks.flatMap((tid) => (read(`/proc/${pid}/task/${tid}/children`) ?? '').trim().split(/\s+/).filter(Boolean).map(Number));
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

export function treeStats(pid: number): TreeStats {
  const stats: TreeStats = { rssBytes: 0, peakBytes: 0, cpuSeconds: 0 };
  for (const p of [pid, ...descendants(pid)]) {
    const status = read(`/proc/${p}/status`);
    const stat = read(`/proc/${p}/stat`);
    if (!status || !stat) continue;
    stats.rssBytes += statusKb(status, 'VmRSS') * 1024;
    stats.peakBytes += statusKb(status, 'VmHWM') * 1024;
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    stats.cpuSeconds += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  }
  return stats;
}
