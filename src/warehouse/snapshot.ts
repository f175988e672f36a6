import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDatasetPrefix } from './datasets';
import { openDuckDb } from './duckdb';
import type { Warehouse } from './port';

/** Why a snapshot could not be taken: no file yet, or a file that kept changing while it was copied. */
export class SnapshotUnavailable extends Error {
  constructor(
    readonly code: 'missing' | 'changing',
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotUnavailable';
  }
}

export interface DuckDbSnapshots {
  /** The file's identity and last change (inode, size, modification time); undefined when there is no file. */
  stamp(): Promise<string | undefined>;
  /** `work` on a fresh copy of the file, opened read-only; one at a time; the copy is deleted after. */
  use<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T>;
}

/**
 * Reads of a DuckDB warehouse by a process that must never hold up the pipeline (the event API, the
 * CLI). DuckDB locks its file: a process that opens it, even read-only, makes the pipeline worker's
 * or dbt's next opening fail (a retry of that stage), and one that finds it held cannot read at all.
 * Reading the file takes no lock: a copy read from it is opened instead, read, closed and deleted
 * (it holds customers' data, which an erasure must not leave behind). The copy has what the file held at its
 * last checkpoint (the pipeline worker checkpoints when it closes the file after each stage; commits
 * since are in the .wal beside it, not copied): always a committed state, at worst a stage old. A
 * copy during which the file changed is taken again, `attempts` times in all; DuckDB's block
 * checksums catch what a change inside the clock's resolution could tear. The copy goes in a folder
 * of its own under `copyDir` (readable by this user only), as large as the file while it lasts.
 */
export function duckDbSnapshots(file: string, datasetPrefix: string, { attempts = 3, pauseMs = 200, copyDir = os.tmpdir() } = {}): DuckDbSnapshots {
  let tail: Promise<unknown> = Promise.resolve();

  async function copyUnchanged(copy: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const before = await stampOf(file);
      if (!before) throw new SnapshotUnavailable('missing', `there is no DuckDB file ${file}: no batch has run on this warehouse yet`);
      // Read to its end, not fs.copyFile: DuckDB shortens its file at checkpoints, and Node's copyFile
      // (libuv's sendfile loop) spins forever, holding a thread of the pool, on a file that shrinks under it.
      await pipeline(fs.createReadStream(file), fs.createWriteStream(copy, { mode: 0o600 }));
      if ((await stampOf(file)) === before) return;
      if (attempt >= attempts) throw new SnapshotUnavailable('changing', `the DuckDB file ${file} changed while it was being copied, ${attempts} times: a batch is writing it`);
      await sleep(pauseMs);
    }
  }

  async function read<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
    const dir = await fs.promises.mkdtemp(path.join(copyDir, 'waymark-snapshot-'));
    try {
      // The same name as the original: dbt-duckdb's views name the file's catalog.
      const copy = path.join(dir, path.basename(file));
      await copyUnchanged(copy);
      const warehouse = withDatasetPrefix(await openDuckDb(copy, { readOnly: true }), datasetPrefix);
      try {
        return await work(warehouse);
      } finally {
        await warehouse.close();
      }
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  return {
    stamp: () => stampOf(file),
    // One copy at a time: concurrent readers wait rather than fill the disk with copies.
    use(work) {
      const turn = tail.then(() => read(work));
      tail = turn.catch(() => undefined);
      return turn;
    },
  };
}

async function stampOf(file: string): Promise<string | undefined> {
  try {
    const s = await fs.promises.stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
