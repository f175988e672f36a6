import fs from 'node:fs';
import path from 'node:path';
import { runProcess } from '../support/processes';

const ROOT = path.resolve(__dirname, '../..');

/** A process that takes and releases the lock until a common deadline, and fails if it ever finds another holder inside. */
const CONTENDER = `
import fs from 'node:fs';
import path from 'node:path';
import { withInitLock } from './src/store/init-lock';
const [dir, until] = [process.argv[2], Number(process.argv[3])];
(async () => {
  while (Date.now() < until) {
    await withInitLock(dir, 60_000, async () => {
      const mark = path.join(dir, 'inside');
      if (fs.existsSync(mark)) throw new Error('two holders at once');
      fs.writeFileSync(mark, String(process.pid));
      fs.rmSync(mark);
    });
  }
})().catch((err) => { console.error(String(err.stack ?? err)); process.exit(1); });
`;

describe('the embedded store’s initialisation lock, between real processes', () => {
  it('lets one holder in at a time, and a lock released while another process looks at it is no error', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'init-lock-'));
    const script = path.join(ROOT, `.init-lock-contender-${process.pid}.ts`);
    fs.writeFileSync(script, CONTENDER);
    try {
      // Four processes releasing and taking the lock in a tight loop: before the fix, one of them
      // failed with ENOENT now and then (it saw EEXIST, and the lock was gone when it looked at its age).
      const runs = await Promise.all([1, 2, 3, 4].map(() => runProcess(path.join(ROOT, 'node_modules/.bin/tsx'), [script, dir, String(Date.now() + 5_000)], { cwd: ROOT })));
      for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(fs.existsSync(path.join(dir, 'init.lock'))).toBe(false);
    } finally {
      fs.rmSync(script, { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
