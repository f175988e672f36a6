import type { Command } from 'commander';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../config';
import { SECRET_VARIABLES } from '../config-variables';
import { readSettingsFile, SettingsFileError, type SettingsFile } from '../settings-file';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('check the configuration and list every WAYMARK_* variable with its default and what is set')
    .addHelpText(
      'after',
      `
Settings come from the environment and from a settings file, which every Waymark process and
the CLI read: WAYMARK_ENV_FILE names it (empty: none), else .env in the project folder when there
is one. Its lines are KEY=VALUE as in a shell; a WAYMARK_* name Waymark does not know is refused
(a typo would be ignored otherwise). The environment outranks the file.

Exits 1 when a value is invalid, naming each bad variable and what it must be.

Example:
  WAYMARK_API_PORT=9000 waymark config`,
    )
    .action(() => {
      process.exitCode = showConfig();
    });
}

/** Lists every variable even when some are invalid, so the list helps fix them; then the verdict. */
function showConfig(): number {
  let problem: ConfigError | undefined;
  try {
    loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problem = err;
  }
  let file: SettingsFile = { values: {} };
  try {
    file = readSettingsFile(process.env, CONFIG_VARIABLES.map((v) => v.name));
  } catch (err) {
    if (!(err instanceof SettingsFileError)) throw err; // loadConfig has reported it
  }
  if (file.path) console.log(`settings file: ${file.path} (the environment outranks it)\n`);
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  for (const { name, fallback } of CONFIG_VARIABLES) {
    const set = process.env[name] ?? file.values[name];
    const from = process.env[name] === undefined && set !== undefined ? '  (settings file)' : '';
    const shown = set !== undefined && SECRET_VARIABLES.has(name) ? masked(set) : set;
    console.log(`${name.padEnd(width)}  ${JSON.stringify(fallback).padEnd(22)} ${shown === undefined ? '' : `= ${shown}${from}`}`);
  }
  if (problem) {
    console.error(`\n${problem.message}`);
    return 1;
  }
  console.log('\nconfiguration is valid');
  return 0;
}

/** A secret's value as this list shows it: "[set]", or a URL with its password replaced (where the database is helps). */
function masked(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value.includes('://') ? value : '[set]';
    url.password = 'secret';
    return url.toString().replace(':secret@', ':[set]@');
  } catch {
    return '[set]';
  }
}
