import { ConfigError, loadConfig } from '../../src/config';

/** What loadConfig says is wrong with `overrides` (the ConfigError's message), or '' when they pass. */
export function problemsOf(overrides: Record<string, string>): string {
  try {
    loadConfig({}, overrides);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}
