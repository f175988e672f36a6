import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The first `name` on PATH outside this project's node_modules: the user's own Node and npm, not the Node 22 the project brings. */
function systemExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || path.resolve(dir).startsWith(path.join(ROOT, 'node_modules'))) continue;
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return fs.realpathSync(file);
  }
  return undefined;
}

/**
 * `npm ci` as a user runs it, with the user's own Node (on this machine and in CI a Node 20,
 * older than the Node 22 the Google clients ask for): planned from the lockfile (`--dry-run`,
 * offline, from the cache the project's own `npm ci` filled), in a folder with the project's
 * package files and .npmrc. Where the system Node is 22 or newer there is nothing to warn
 * about, and the test holds as well.
 */
describe('npm ci output', () => {
  it('prints no EBADENGINE warning (or any other warning) on a system Node older than the one the project runs on', () => {
    const node = systemExecutable('node');
    const npm = systemExecutable('npm');
    if (!node || !npm) throw new Error('no node and npm on PATH outside node_modules: the test runs where a user would type `npm ci`');
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-npm-ci-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
      const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
      const run = spawnSync(node, [npm, 'ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: path.dirname(node) + path.delimiter + (process.env.PATH ?? '') },
        timeout: 120_000,
      });
      expect({ version, status: run.status, warnings: run.stderr.split('\n').filter((line) => /warn|EBADENGINE/i.test(line)) }).toEqual({ version, status: 0, warnings: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
