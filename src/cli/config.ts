import { CONFIG_VARIABLES, loadConfig } from '../config';

/** `waymark config`: checks the configuration and lists every variable, its default and what is set. */
export async function configCommand(): Promise<number> {
  loadConfig(); // throws with each bad variable named
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  for (const { name, fallback } of CONFIG_VARIABLES) {
    const set = process.env[name];
    const shown = name === 'WAYMARK_API_KEYS' && set !== undefined ? '[set]' : set;
    console.log(`${name.padEnd(width)}  ${JSON.stringify(fallback).padEnd(22)} ${shown === undefined ? '' : `= ${shown}`}`);
  }
  console.log('\nconfiguration is valid');
  return 0;
}
