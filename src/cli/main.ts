import { ConfigError } from '../config';
import { JourneyValidationError } from '../journey/validate';
import { devCommand } from './dev';
import { demoCommand } from './demo';
import { journeysCommand } from './journeys';
import { customerCommand } from './customer';
import { eventsCommand } from './events';
import { configCommand } from './config';

type Command = (args: string[]) => Promise<number | void>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  dev: { run: devCommand, help: 'start (or reuse) the local Temporal dev server and the workers; Web UI on :8233' },
  demo: { run: demoCommand, help: 'enrol synthetic customers in the shipped journeys (needs `waymark dev` running)' },
  journeys: { run: journeysCommand, help: 'list | show ID | validate FILE... | preview ID|FILE: inspect, check and dry-run journeys' },
  config: { run: configCommand, help: 'check the configuration; list every WAYMARK_* variable with its default' },
  customer: { run: customerCommand, help: 'ID: where a customer is in each journey, and why (what it entered, skipped, sent)' },
  events: { run: eventsCommand, help: 'send --type T --customer C [...] | replay FILE.jsonl: hand events to Temporal directly' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return ['usage: waymark <command> [args]', '', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.help}`)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`waymark: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.run(args)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = (err as { code?: string }).code;
    const known = err instanceof ConfigError || err instanceof JourneyValidationError || code === 'TEMPORAL_UNREACHABLE' || code === 'PORT_IN_USE';
    console.error(known ? (err as Error).message : err);
    process.exit(1);
  },
);
