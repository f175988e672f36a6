import { loadConfig } from '../config';
import { connectClient } from '../temporal/connect';
import { runDemo } from '../demo';

/** `waymark demo`: enrols synthetic customers in the shipped journeys on a running `waymark dev`. */
export async function demoCommand(): Promise<number> {
  const config = loadConfig();
  const client = await connectClient(config);
  console.log(`Sending demo events to ${config.temporal.address}:`);
  const customers = await runDemo(client, config, (line) => console.log(line));
  console.log(`\nDone. ${customers.length} customers. Open http://localhost:${config.temporal.uiPort} or run:`);
  console.log(`  npm run waymark -- customer ${customers[0]}`);
  return 0;
}
