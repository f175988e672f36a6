/**
 * Records workflow histories of the shipped journeys and the customer router on a time-skipping
 * server, into tests/fixtures/histories/. tests/workflow/replay.test.ts replays them against the
 * current workflow code, so a change that would break running workflows fails the tests.
 * Re-record only when adding coverage, never to make a failing replay pass:
 *   npm run record:histories
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { createDeps } from '../src/runtime';
import { routerSettings } from '../src/settings';
import { customerWorkflowId, eventSignal, eventSignalName, journeyWorkflowId } from '../workflows/contract';
import { customerWorkflow } from '../workflows/customer';
import { journeyWorkflow } from '../workflows/journey';
import { temporalBinary } from '../src/temporal/binaries';
import { makeEvent, publishedJourney, runInput, startWorker, testConfig, timeSkippingEnv } from '../tests/support/harness';

/** Histories of today's workflow code (v2); v1/ holds those recorded before it, kept for replay. */
const OUT = path.resolve(__dirname, '../tests/fixtures/histories/v2');
const HOUR = 3_600_000;

async function main(): Promise<void> {
  process.env.WAYMARK_TEST_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-record-'));
  const bundlePath = path.join(process.env.WAYMARK_TEST_DIR, 'bundle.js');
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') })).code);
  process.env.WAYMARK_TEST_BUNDLE = bundlePath;

  const env = await timeSkippingEnv();
  const config = testConfig();
  const deps = createDeps(config);
  const worker = await startWorker(env.nativeConnection, config, deps);
  // The CLI writes the canonical JSON form of a history (historyFromJSON reads it back).
  const save = async (name: string, handle: WorkflowHandle) => {
    const json = execFileSync(temporalBinary('temporal'), ['workflow', 'show', '--address', env.address, '--workflow-id', handle.workflowId, '--output', 'json']);
    fs.writeFileSync(path.join(OUT, `${name}.json`), json);
    console.log(`recorded ${name}`);
  };
  await worker.runUntil(async () => {
    const now = () => env.currentTimeMs();
    const journeyRun = async (journeyId: string, customerId: string, entryType: string, extra = {}) =>
      env.client.workflow.start(journeyWorkflow, {
        workflowId: journeyWorkflowId(journeyId, customerId),
        taskQueue: config.temporal.journeyTaskQueue,
        args: [runInput(await publishedJourney(deps, journeyId), config, makeEvent(entryType, customerId, await now(), extra))],
      });

    const onboarding = await journeyRun('onboarding', 'rec-onb', 'signed_up');
    await env.sleep(26 * HOUR);
    await onboarding.signal(eventSignal, makeEvent('activated', 'rec-onb', await now()));
    await onboarding.result();
    await save('onboarding-activated', onboarding);

    const trial = await journeyRun('trial-conversion', 'rec-trial', 'trial_started', { context: { timezone: 'Europe/Paris' } });
    await trial.result();
    await save('trial-conversion-full', trial);

    const churn = await journeyRun('churn-prevention', 'rec-churn', 'health_at_risk', { properties: { score: 20 } });
    await env.sleep(2 * HOUR);
    await churn.signal(eventSignal, makeEvent('session_started', 'rec-churn', await now()));
    await churn.result();
    await save('churn-prevention-retained', churn);

    const router = await env.client.workflow.signalWithStart(customerWorkflow, {
      workflowId: customerWorkflowId('rec-router'),
      taskQueue: config.temporal.journeyTaskQueue,
      args: [{ v: 2, customerId: 'rec-router', settings: routerSettings(config) }],
      signal: eventSignalName('signed_up'),
      signalArgs: [makeEvent('signed_up', 'rec-router', await now())],
    });
    const duplicate = makeEvent('trial_started', 'rec-router', await now());
    await router.signal(eventSignalName('trial_started'), duplicate);
    await router.signal(eventSignalName('trial_started'), duplicate);
    await env.sleep(HOUR);
    await router.signal(eventSignalName('subscription_started'), makeEvent('subscription_started', 'rec-router', await now()));
    await env.client.workflow.getHandle(journeyWorkflowId('trial-conversion', 'rec-router')).result();
    await env.sleep(HOUR);
    await save('customer-router', router);
    await router.terminate('recorded');
    await env.client.workflow.getHandle(journeyWorkflowId('onboarding', 'rec-router')).terminate('recorded');
  });
  await env.teardown();
  await deps.store.close();
  await deps.store.stopEmbedded();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
