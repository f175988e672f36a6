import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * What scripts/setup.sh installs for each command: a copy of the script in a project folder where
 * the Temporal binaries are already linked and the warehouse worker's packages already installed,
 * with a `python3` first on PATH that writes down how it was called and fails (as pip would
 * without PyPI). `npm run dev` (no flag) must not reach for the test-only BigQuery emulator;
 * `npm test` (--tests) must.
 */
function setupIn(flag: string[]): { status: number | null; stderr: string; python: string[] } {
  const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-setup-'));
  try {
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'workers'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, '.tools/bin'), { recursive: true });
    fs.mkdirSync(path.join(dir, '.tools/py/warehouse'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'shim'));
    fs.copyFileSync(path.join(ROOT, 'scripts/setup.sh'), path.join(dir, 'scripts/setup.sh'));
    fs.copyFileSync(path.join(ROOT, 'workers/requirements.txt'), path.join(dir, 'workers/requirements.txt'));
    fs.copyFileSync(path.join(ROOT, 'workers/requirements.txt'), path.join(dir, '.tools/py/warehouse/.installed-requirements.txt'));
    for (const binary of ['temporal', 'temporal-test-server']) fs.writeFileSync(path.join(dir, '.tools/bin', binary), '#!/bin/sh\n', { mode: 0o755 });
    const log = path.join(dir, 'python3.log');
    fs.writeFileSync(path.join(dir, 'shim/python3'), `#!/bin/sh\necho "$*" >> '${log}'\nexit 1\n`, { mode: 0o755 });
    const run = spawnSync('bash', ['scripts/setup.sh', ...flag], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.join(dir, 'shim')}${path.delimiter}${process.env.PATH}`, TEMPORAL_CLI: '', TEMPORAL_TEST_SERVER: '' },
      timeout: 60_000,
    });
    const python = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
    return { status: run.status, stderr: run.stderr, python };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/setup.sh', () => {
  it('installs nothing for npm run dev when the tools are in place: no BigQuery emulator, no pip', () => {
    expect(setupIn([])).toEqual({ status: 0, stderr: '', python: [] });
  });

  it('installs the BigQuery emulator for npm test, and names what failed when pip cannot', () => {
    const { status, stderr, python } = setupIn(['--tests']);
    expect(status).toBe(1);
    expect(python.join('\n')).toContain(`bqemulator==`);
    expect(stderr).toContain('could not install bqemulator');
  });
});
