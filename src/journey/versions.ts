import fs from 'node:fs';
import path from 'node:path';
import type { JourneyCatalog } from './catalog';
import type { Journey } from './schema';
import { readJsonIfExists } from '../fs-atomic';

/** A run names a version no worker knows: it waits (the activity retries) until the version is published again. */
export class JourneyVersionMissingError extends Error {
  readonly code = 'JOURNEY_VERSION_MISSING';
  constructor(journeyId: string, version: string, dir: string) {
    super(`journey ${journeyId} version ${version} is not known to this worker (nor in ${dir}); publish that definition again (its file) so the runs that use it can go on`);
    this.name = 'JourneyVersionMissingError';
  }
}

/**
 * Every journey version runs have started with, by (id, version): the catalog's current ones in
 * memory, and each one ever published here kept as a file, so a run finds its definition after
 * the catalog moved on. Journey ids are [a-z0-9-] and versions hex, so `<id>@<version>` is
 * injective. One data directory per worker for now; the shared store replaces the files.
 */
export class JourneyVersions {
  private readonly known = new Map<string, Journey>();

  constructor(
    readonly dir: string,
    catalog: JourneyCatalog,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    for (const { definition, version } of catalog.all()) {
      this.known.set(`${definition.id}@${version}`, definition);
      const file = path.join(dir, `${definition.id}@${version}.json`);
      if (fs.existsSync(file)) continue;
      const tmp = `${file}.${process.pid}.tmp`; // the API and the worker may write the same version at once
      fs.writeFileSync(tmp, JSON.stringify(definition));
      fs.renameSync(tmp, file);
    }
  }

  async get(journeyId: string, version: string): Promise<Journey> {
    const key = `${journeyId}@${version}`;
    const cached = this.known.get(key);
    if (cached) return cached;
    const stored = await readJsonIfExists<Journey>(path.join(this.dir, `${key}.json`));
    if (!stored) throw new JourneyVersionMissingError(journeyId, version, this.dir);
    this.known.set(key, stored);
    return stored;
  }
}
