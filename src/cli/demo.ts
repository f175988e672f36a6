import type { Command } from 'commander';
import { loadConfig } from '../config';
import { connectClient } from '../temporal/connect';
import { runDemo } from '../demo';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('enrol a batch of synthetic customers in the shipped journeys (needs `waymark dev` running)')
    .addHelpText(
      'after',
      `
Each run adds new customers (their ids get a fresh suffix), so it can be repeated.

Example:
  npm run dev      # in one terminal
  npm run demo     # in another`,
    )
    .action(async () => {
      process.exitCode = await demo();
    });
}

async function demo(): Promise<number> {
  const config = loadConfig();
  const client = await connectClient(config);
  console.log(`Sending demo events to ${config.temporal.address}:`);
  const customers = await runDemo(client, config, (line) => console.log(line));
  console.log(`\nDone. ${customers.length} customers. Open http://localhost:${config.temporal.uiPort} or run:`);
  console.log(`  npm run waymark -- outbox                  the messages they got, rendered (a few seconds on)`);
  console.log(`  npm run waymark -- customer ${customers[0]}`);
  return 0;
}
