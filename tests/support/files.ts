import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory holding `files` (name -> text), under the test run's folder (removed at teardown). */
export function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'files-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
