import net from 'node:net';
import path from 'node:path';
import { runProcess, type Finished } from './processes';

export const ROOT = path.resolve(__dirname, '../..');
export const WAYMARK = path.join(ROOT, 'bin/waymark');

export type CliResult = Finished;

/** Runs `bin/waymark args` as a real process (as a user would), with `env` added to this process's environment. */
export function runWaymark(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runProcess(WAYMARK, args, { cwd: ROOT, env: { ...process.env, ...env }, what: `waymark ${args.join(' ')}`.slice(0, 120) });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** `fn` over `items`, at most `limit` at a time (each CLI run is a Node process; the machine may have two cores). */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
