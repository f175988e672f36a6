import { Command, CommanderError, type OutputConfiguration } from 'commander';
import { version } from '../../package.json';
import { ApiError } from '../api/errors';
import { loadConfig } from '../config';
import { registerConfigCommand } from './config';
import { registerCustomerCommand } from './customer';
import { registerOutboxCommand } from './outbox';
import { registerMessagesCommand } from './messages';
import { registerModelsCommand } from './models';
import { registerAudiencesCommand } from './audiences';
import { registerDbCommand } from './db';
import { registerKeysCommand } from './keys';
import { registerDemoCommand } from './demo';
import { registerDevCommand } from './dev';
import { registerEventsCommand } from './events';
import { registerJourneysCommand } from './journeys';
import { registerSchedulesCommand } from './schedules';
import { registerSeedCommand } from './seed';
import { registerSendsCommand } from './sends';
import { registerTemplatesCommand } from './templates';
import { registerWarehouseCommand } from './warehouse';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const GENERAL_HELP = `
Exit codes:
  ${EXIT_OK}  done
  ${EXIT_FAILED}  failed; the message says what to fix (a bad setting, Temporal not reachable, a port in use,
     an invalid journey or event)
  ${EXIT_USAGE}  usage error: unknown command or option, missing or extra argument

Settings are WAYMARK_* environment variables; 'waymark config' lists them with their defaults.

Examples:
  waymark dev                          run everything locally (what 'npm run dev' does after its set-up)
  waymark journeys validate my.yaml    check a journey file
  waymark customer ada-1f2e3d          where a customer is in each journey, and why
  waymark events send --help           help on any command`;

/** Errors whose message already says what to fix: printed as they are, without a stack. */
const KNOWN_ERROR_CODES = new Set(['CONFIG_INVALID', 'JOURNEY_INVALID', 'TEMPORAL_UNREACHABLE', 'PORT_IN_USE', 'JOURNEY_CHANGE_REFUSED', 'STORE_SCHEMA']);

/** The CLI's command tree; `output` captures what commander prints (help, usage errors), for tests. */
export function buildProgram(output?: OutputConfiguration): Command {
  const program = new Command('waymark')
    .description('Waymark: customer journeys as Temporal workflows. Run, inspect and feed them from the command line.')
    .version(version, '-V, --version')
    .addHelpText('after', GENERAL_HELP);
  registerDevCommand(program);
  registerDemoCommand(program);
  registerJourneysCommand(program);
  registerTemplatesCommand(program);
  registerCustomerCommand(program);
  registerOutboxCommand(program);
  registerMessagesCommand(program);
  registerSendsCommand(program);
  registerEventsCommand(program);
  registerConfigCommand(program);
  registerSeedCommand(program);
  registerSchedulesCommand(program);
  registerWarehouseCommand(program);
  registerModelsCommand(program);
  registerAudiencesCommand(program);
  registerDbCommand(program);
  registerKeysCommand(program);
  // Set on every command, including those a register function built with `new Command` and added.
  const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
  for (const command of all(program)) {
    command.exitOverride().showHelpAfterError('(add --help for usage)');
    if (output) command.configureOutput(output);
  }
  return program;
}

/** Commander has already printed its message; only the exit code is left to choose. */
function exitCodeOf(err: CommanderError): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
  if (err.code === 'commander.error') return err.exitCode; // raised by a command on purpose, with its own code
  return EXIT_USAGE;
}

function debugging(): boolean {
  try {
    return ['debug', 'trace'].includes(loadConfig().logLevel);
  } catch {
    return false;
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) return exitCodeOf(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  if (err instanceof ApiError || (typeof code === 'string' && KNOWN_ERROR_CODES.has(code))) {
    console.error(`waymark: ${(err as Error).message}`);
    if (code === 'CONFIG_INVALID') console.error(`'waymark config' lists every setting with its default.`);
    return EXIT_FAILED;
  }
  if (debugging()) {
    console.error((err as Error)?.stack ?? err);
  } else {
    console.error(`waymark: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
    console.error('Run with WAYMARK_LOG_LEVEL=debug for details.');
  }
  return EXIT_FAILED;
}

/** Runs the CLI on `args` (after `waymark`): the exit code, the one a command set or the error's. */
export async function runCli(args: string[], output?: OutputConfiguration): Promise<number> {
  try {
    await buildProgram(output).parseAsync(args, { from: 'user' });
    return Number(process.exitCode ?? EXIT_OK);
  } catch (err) {
    return report(err);
  }
}
