import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';

/**
 * Replays recorded histories (scripts/record-histories.ts) against today's workflow code. A
 * failure here means a change would break runs already in flight: guard it with patched().
 */
const DIR = path.resolve(__dirname, '../fixtures/histories');
const historiesIn = (folder: string) => fs.readdirSync(path.join(DIR, folder)).filter((f) => f.endsWith('.json')).map((f) => `${folder}/${f}`);
/** v1/: recorded before the version-2 workflows (runs still open then must finish); v2/: today's code. */
const files = ['v1', 'v2'].flatMap(historiesIn);
/** The ingestion workflow, in its own bundle (workflows/pipeline), as its worker runs it. */
const pipelineFiles = historiesIn('pipeline');

const historyOf = (file: string) => {
  const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));
  expect(history.events?.length).toBeGreaterThan(5);
  return history;
};

describe('replay of recorded histories', () => {
  it('has histories of both workflow versions and of the pipeline to replay', () => {
    expect(files.filter((f) => f.startsWith('v1/')).length).toBeGreaterThanOrEqual(4);
    expect(files.filter((f) => f.startsWith('v2/')).length).toBeGreaterThanOrEqual(4);
    expect(pipelineFiles.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.WAYMARK_TEST_BUNDLE! } }, historyOf(file), file);
  });

  describe('the ingestion pipeline', () => {
    let code: string;
    beforeAll(async () => {
      ({ code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows/pipeline'), logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never }));
    });

    it.each(pipelineFiles)('%s replays without non-determinism', async (file) => {
      await Worker.runReplayHistory({ workflowBundle: { code } }, historyOf(file), file);
    });
  });
});
