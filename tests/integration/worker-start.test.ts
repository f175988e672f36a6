import { execFileSync } from 'node:child_process';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalBinary } from '../../src/temporal/binaries';
import { ROOT } from '../support/cli';
import { testConfig } from '../support/harness';
import { startProcess } from '../support/processes';

/** `npm run worker` as a real process against `address`; resolves with its exit code and output, or once `until` shows up (then stops it). */
function runWorker(address: string, until?: RegExp): Promise<{ code: number | null; output: string }> {
  const { dataDir } = testConfig();
  const child = startProcess('npm', ['run', '--silent', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, WAYMARK_TEMPORAL_ADDRESS: address, WAYMARK_DATA_DIR: dataDir, WAYMARK_LOG_FORMAT: 'json', WAYMARK_JOURNEY_TASK_QUEUE: `start-${Date.now()}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) child.kill('SIGTERM');
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('the journeys worker at start (a real process)', () => {
  it('refuses a namespace without the search attributes, with a command that fixes it', async () => {
    // A server without Waymark's search attributes, as a new cluster or Cloud namespace is.
    const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalBinary('temporal') }, ip: '127.0.0.1', ui: false } });
    try {
      const refused = await runWorker(env.address);
      expect(refused.code).toBe(1);
      const command = /npm run temporal -- (operator search-attribute create .*?) \(see docs\/deployment\.md\)/.exec(refused.output)?.[1];
      expect(command).toContain('--name CustomerId --type Keyword');
      execFileSync(temporalBinary('temporal'), command!.split(' '));
      const started = await runWorker(env.address, /journeys worker running/);
      expect(started.output).toMatch(/journeys worker running/);
    } finally {
      await env.teardown();
    }
  });
});
