import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';

/**
 * Replays recorded histories (scripts/record-histories.ts) against today's workflow code. A
 * failure here means a change would break runs already in flight: guard it with patched().
 */
const DIR = path.resolve(__dirname, '../fixtures/histories');
/** v1/: recorded before the version-2 workflows (runs still open then must finish); v2/: today's code. */
const files = ['v1', 'v2'].flatMap((version) => fs.readdirSync(path.join(DIR, version)).filter((f) => f.endsWith('.json')).map((f) => `${version}/${f}`));

describe('replay of recorded histories', () => {
  it('has histories of both workflow versions to replay', () => {
    expect(files.filter((f) => f.startsWith('v1/')).length).toBeGreaterThanOrEqual(4);
    expect(files.filter((f) => f.startsWith('v2/')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(5);
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WAYMARK_TEST_BUNDLE! } }, history, file);
  });
});
