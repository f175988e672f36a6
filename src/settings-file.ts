import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { closestType } from './events/suggest';

/** The project folder: a `.env` here is read by every process and the CLI. */
const PROJECT_DIR = path.resolve(__dirname, '..');

/** A settings file that cannot be used: each problem names the file and what to fix. */
export class SettingsFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The settings a file gave, and where it is (for messages). */
export interface SettingsFile {
  path?: string;
  values: Record<string, string>;
}

/**
 * The settings file: WAYMARK_ENV_FILE when set (empty: none), else `.env` in the project folder
 * when there is one. Lines are KEY=VALUE as in a shell (`#` comments, quotes, `export ` allowed);
 * only WAYMARK_* keys are settings (others are left for other tools), and one Waymark does not
 * know is refused with the closest name: a typo would otherwise be silently ignored. The
 * environment outranks the file (loadConfig).
 */
export function readSettingsFile(env: NodeJS.ProcessEnv, known: readonly string[]): SettingsFile {
  const named = env.WAYMARK_ENV_FILE;
  const file = named === undefined ? path.join(PROJECT_DIR, '.env') : named === '' ? undefined : path.resolve(named);
  if (!file || (named === undefined && !fs.existsSync(file))) return { values: {} };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingsFileError([`WAYMARK_ENV_FILE=${JSON.stringify(named)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); name a settings file, or set it empty for none`]);
  }
  const values: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (!key.startsWith('WAYMARK_')) continue;
    if (key === 'WAYMARK_ENV_FILE') unknown.push(`${key} (in ${file}): a settings file cannot name another one`);
    else if (!known.includes(key)) {
      const closest = closestType(key, known);
      unknown.push(`${key} (in ${file}) is not a Waymark setting${closest ? ` (did you mean ${closest}?)` : ''}; 'waymark config' lists them`);
    } else values[key] = value ?? '';
  }
  if (unknown.length) throw new SettingsFileError(unknown);
  return { path: file, values };
}
