import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ProfileStore } from './port';
import { readJsonIfExists, replaceFile } from '../fs-atomic';

interface ProfileFile {
  customerId: string;
  attributes: Record<string, unknown>;
  /** Keys of the most recent updates, to make retries harmless. */
  applied: string[];
}

/**
 * The local profile store: one JSON file per customer. Updates are serialised per customer
 * within this process; run one worker process per data directory.
 */
export class FileProfileStore implements ProfileStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    /** How many recent update keys to remember per customer (WAYMARK_PROFILE_KEEP_KEYS). */
    private readonly keepKeys: number,
  ) {}

  private fileFor(customerId: string): string {
    return path.join(this.dir, `${createHash('sha256').update(customerId).digest('hex').slice(0, 40)}.json`);
  }

  async get(customerId: string): Promise<Record<string, unknown>> {
    return (await readJsonIfExists<ProfileFile>(this.fileFor(customerId)))?.attributes ?? {};
  }

  update(customerId: string, changes: Record<string, unknown>, key: string): Promise<Record<string, unknown>> {
    const run = async () => {
      const file = this.fileFor(customerId);
      const current = (await readJsonIfExists<ProfileFile>(file)) ?? { customerId, attributes: {}, applied: [] };
      if (current.applied.includes(key)) return current.attributes;
      const next: ProfileFile = {
        customerId,
        attributes: { ...current.attributes, ...changes },
        applied: [...current.applied, key].slice(-this.keepKeys),
      };
      await replaceFile(file, JSON.stringify(next, null, 2));
      return next.attributes;
    };
    const previous = this.locks.get(customerId) ?? Promise.resolve();
    const result = previous.then(run, run);
    this.locks.set(customerId, result.catch(() => undefined));
    return result;
  }
}
