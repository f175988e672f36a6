import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ContactFields, ProfileChanges, ProfileLimits, ProfileStore, ProfileView } from './port';
import { checkProfileLimits } from './limits';
import { readJsonIfExists, replaceFile } from '../fs-atomic';

interface ProfileFile {
  customerId: string;
  attributes: Record<string, unknown>;
  contact?: ContactFields;
  /** Keys of the most recent updates, to make retries harmless. */
  applied: string[];
}

const view = (p: Pick<ProfileFile, 'attributes' | 'contact'>): ProfileView =>
  p.contact && Object.keys(p.contact).length ? { ...p.attributes, contact: p.contact } : { ...p.attributes };

/**
 * The local profile store: one JSON file per customer, named by the hash of the customer id.
 * Updates are serialised per customer within this process; run one worker process per data
 * directory (the shared store replaces it for several workers).
 */
export class FileProfileStore implements ProfileStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    /** How many recent update keys to remember per customer (WAYMARK_PROFILE_KEEP_KEYS). */
    private readonly keepKeys: number,
    private readonly limits: ProfileLimits,
  ) {}

  private fileFor(customerId: string): string {
    return path.join(this.dir, `${createHash('sha256').update(customerId).digest('hex').slice(0, 40)}.json`);
  }

  async get(customerId: string): Promise<ProfileView> {
    const file = await readJsonIfExists<ProfileFile>(this.fileFor(customerId));
    return file ? view(file) : {};
  }

  apply(customerId: string, changes: ProfileChanges, key: string): Promise<ProfileView> {
    const run = async () => {
      const file = this.fileFor(customerId);
      const current = (await readJsonIfExists<ProfileFile>(file)) ?? { customerId, attributes: {}, applied: [] };
      if (current.applied.includes(key)) return view(current);
      const attributes = { ...current.attributes };
      for (const [name, value] of Object.entries(changes.traits ?? {})) {
        if (value === null) delete attributes[name];
        else attributes[name] = value;
      }
      checkProfileLimits(attributes, this.limits);
      const next: ProfileFile = {
        customerId,
        attributes,
        contact: { ...current.contact, ...changes.contact },
        applied: [...current.applied, key].slice(-this.keepKeys),
      };
      await replaceFile(file, JSON.stringify(next, null, 2));
      return view(next);
    };
    const previous = this.locks.get(customerId) ?? Promise.resolve();
    const result = previous.then(run, run);
    this.locks.set(customerId, result.catch(() => undefined));
    return result;
  }
}
