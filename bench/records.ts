import fs from 'node:fs/promises';
import path from 'node:path';
import { FileOutbox } from '../src/channels/outbox';
import { baselineDir, type BaselineRecord } from './baseline-activities';
import { percentile } from './load';

/**
 * What the bench watches to know work is done: the local channel's outbox (one JSON file per
 * message, each with customerId, template and recordedAt) and the baseline's records (one file
 * per customer). Counting directory entries is cheap enough to do every few seconds; the files
 * are read once, at the end of a phase, for the latencies.
 */
export const outboxDir = (dataDir: string) => path.join(dataDir, 'outbox');

/** The first message onboarding sends a new customer. */
export const FIRST_MESSAGE = 'onboarding-welcome';

export async function countRecords(dir: string): Promise<number> {
  try {
    return (await fs.readdir(dir)).filter((name) => name.endsWith('.json')).length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** When each customer whose id starts with `prefix` got its first message, in ms since the epoch. */
export async function firstMessageTimes(dataDir: string, prefix: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const record of await new FileOutbox(outboxDir(dataDir)).list()) {
    if (record.template !== FIRST_MESSAGE || !record.customerId.startsWith(prefix)) continue;
    const at = Date.parse(record.recordedAt);
    times.set(record.customerId, Math.min(at, times.get(record.customerId) ?? at));
  }
  return times;
}

/** When the baseline recorded each customer whose id starts with `prefix`. */
export async function baselineTimes(dataDir: string, prefix: string): Promise<Map<string, number>> {
  const dir = baselineDir(dataDir);
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith(prefix) && n.endsWith('.json'));
  const times = new Map<string, number>();
  for (const name of names) {
    const record = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as BaselineRecord;
    times.set(record.customerId, Date.parse(record.recordedAt));
  }
  return times;
}

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Percentiles of done - accepted, over the customers both maps know. */
export function latencies(accepted: Map<string, number>, done: Map<string, number>): Latencies {
  const ms = [...accepted].flatMap(([id, t]) => (done.has(id) ? [done.get(id)! - t] : [])).sort((a, b) => a - b);
  return { count: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
}
