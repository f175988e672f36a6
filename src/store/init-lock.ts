import fs from 'node:fs';
import path from 'node:path';

/** Serialises the first initialisation between processes started together (the worker and the API). */
export async function withInitLock<T>(dir: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, 'init.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (!held) continue; // its holder removed it between our mkdir and this look: try again
      const age = Date.now() - held.mtimeMs;
      if (age > timeoutMs) fs.rmSync(lock, { recursive: true, force: true }); // left by a killed process
      else if (Date.now() > deadline) throw new Error(`another process holds ${lock}; remove it if no Waymark process is starting`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
