import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { connectClient, connectWorker } from '../temporal/connect';
import { startOrReuseDevServer } from '../temporal/dev-server';
import { createDeps } from '../runtime';
import { runDemo } from '../demo';
import { createJourneyWorker } from '../../workers/journey-worker';
import { createAppForClient, listen } from '../api/server';
import { installTemporalRuntime } from '../temporal/runtime';

/** `waymark dev`: everything on one laptop: Temporal dev server, journeys worker, demo data on first start. */
export async function devCommand(): Promise<number> {
  const config = loadConfig();
  const say = (line: string) => console.log(line);
  const deps = createDeps(config);
  installTemporalRuntime(createLogger(config, 'worker'));
  const server = await startOrReuseDevServer(config, say);
  let client, api, worker;
  try {
    client = await connectClient(config);
    api = await listen(createAppForClient(config, client, createLogger(config, 'api')), config);
    worker = await createJourneyWorker({
      connection: await connectWorker(config),
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.journeyTaskQueue,
      deps,
    });
  } catch (err) {
    await api?.close();
    await server.stop(); // a dev server we started must not outlive us
    throw err;
  }
  const running = worker.run();

  say('');
  say(`Waymark is running.`);
  say(`  Temporal Web UI   ${server.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
  say(`  Temporal server   ${config.temporal.address} (namespace ${config.temporal.namespace})`);
  say(`  Journeys          ${deps.catalog.all().map((j) => `${j.definition.id}@${j.version}`).join(', ')}`);
  say(`  Outbox            ${deps.outbox.dir}`);
  say(`  Task queue        ${config.temporal.journeyTaskQueue}`);
  say(`  Event API         ${api.url}/v1/events  (metrics ${api.url}/metrics; keys from WAYMARK_API_KEYS)`);

  const { count } = await client.workflow.count(`WorkflowType = 'customerWorkflow'`);
  if (count === 0 && config.demoOnStart) {
    say('');
    say('First start: enrolling demo customers (WAYMARK_DEMO_ON_START=false skips this):');
    await runDemo(client, config, say);
  }
  say('');
  say(`Try: temporal workflow list --query "JourneyId='onboarding'"   or   npm run waymark -- customer <id>`);
  say('Press Ctrl-C to stop.');

  const stop = async () => {
    say('\nStopping...');
    worker!.shutdown();
    await Promise.all([api!.close(), running]);
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running;
  return 0;
}
