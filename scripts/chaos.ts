import os from 'node:os';
import { loadConfig } from '../src/config';
import { parseFlags, usage } from './chaos/flags';
import { details, passed, table } from './chaos/report';
import { runScenario, type ScenarioResult } from './chaos/scenario-run';
import { SCENARIOS } from './chaos/scenarios';

/**
 * `npm run chaos`: kill runs. For each chosen scenario, a fresh stack (the bench's: a dev server
 * as `npm run dev` starts it, an embedded PostgreSQL, plus the event API and a journeys worker as
 * processes of their own), N new customers each posting one signed_up event through the API at a
 * steady rate, and a fault injected while they go (docs/operations.md, "Kill runs"). Prints per
 * scenario the customers expected to get a message, the messages delivered at the provider, and
 * lost, duplicated, stuck and second runs; exits 1 when any of those is not 0.
 */
async function main(): Promise<number> {
  const parsed = parseFlags(process.argv.slice(2));
  if ('help' in parsed) return console.log(usage()), 0;
  if ('error' in parsed) return console.error(`${parsed.error}\n\n${usage()}`), 2;
  const { flags } = parsed;
  const say = (line: string) => console.log(line);
  handleSignals(say);

  say(`Kill runs: ${flags.scenarios.join(', ')}; ${flags.customers} customers each at ${flags.rate}/s (${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)})`);
  const results: ScenarioResult[] = [];
  for (const name of flags.scenarios) {
    say(`\n=== ${name} ===`);
    try {
      const result = await runScenario(SCENARIOS[name], flags, say, (stop) => (current = stop));
      results.push(result);
      say(details(result, flags.examples).join('\n'));
    } catch (err) {
      // The stack did not start, or counting failed: no counts to show for this scenario.
      say(`[${name}] could not run: ${(err as Error).stack ?? err}`);
      failedToRun.push(name);
    } finally {
      current = undefined;
    }
  }

  say('');
  say(table(results).join('\n'));
  if (failedToRun.length) say(`could not run: ${failedToRun.join(', ')}`);
  const ok = failedToRun.length === 0 && results.every(passed);
  say(ok ? '\nPASS: nothing lost, duplicated, stuck or run twice' : '\nFAIL: see the details above each scenario (docs/operations.md, "Kill runs", says how to read them)');
  return ok ? 0 : 1;
}

let current: (() => Promise<void>) | undefined;
const failedToRun: string[] = [];

/**
 * Ctrl-C or SIGTERM stops the running scenario's processes and servers and removes its data
 * folder, then exits 130; a second signal exits at once (the exit handlers of bench/children.ts
 * and bench/stack.ts still kill what is left). npm and tsx forward a terminal's Ctrl-C too: a
 * signal within WAYMARK_DEV_REPEAT_SIGNAL_GAP of the first is that same Ctrl-C.
 */
function handleSignals(say: (line: string) => void): void {
  const { repeatSignalGapMs } = loadConfig(process.env).dev;
  let firstAt: number | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      say(`\n${signal}: stopping the run's processes and servers (again to exit at once)...`);
      void (current?.() ?? Promise.resolve()).finally(() => process.exit(130));
    } else if (Date.now() - firstAt >= repeatSignalGapMs) {
      say(`${signal} again: exiting now.`);
      process.exit(130);
    }
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
