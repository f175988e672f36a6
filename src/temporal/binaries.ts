import fs from 'node:fs';
import path from 'node:path';

const TOOLS_BIN = path.resolve(__dirname, '../../.tools/bin');

/**
 * Absolute path of a Temporal binary that scripts/setup.sh linked into .tools/bin (the SDK
 * needs an absolute path and never searches PATH).
 */
export function temporalBinary(name: 'temporal' | 'temporal-test-server'): string {
  const file = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run 'npm run setup' (it finds or installs the Temporal binaries)`);
  }
  return fs.realpathSync(file);
}
