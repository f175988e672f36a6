import fs from 'node:fs';
import readline from 'node:readline';

/** A JSON value's type as an export carries it (null is absence, not a type). */
export type JsonType = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** A line of an export that is not a JSON object: it cannot be loaded, and is kept with its reason. */
export interface UnreadableLine {
  line: number;
  reason: string;
  /** The line as sent, cut to `keepChars`. */
  text: string;
}

/** What an export file carries: its lines, the lines that are not JSON objects, and each field seen with its types. */
export interface ExportProfile {
  lines: number;
  unreadable: number;
  /** The first `keepLines` unreadable lines (the count above is of all of them). */
  kept: UnreadableLine[];
  /** Per field: rows carrying the key (null or not), rows with a value, and the values' types. */
  fields: Map<string, { keyed: number; present: number; types: Set<JsonType> }>;
}

const typeOf = (value: unknown): JsonType | undefined =>
  value === null || value === undefined ? undefined : Array.isArray(value) ? 'array' : (typeof value as JsonType);

/**
 * Reads a newline-delimited JSON export once, line by line: the warehouse's load skips a line that
 * is not a JSON object and drops a field it does not declare, so this is where both are seen and
 * counted (src/warehouse/schema-changes.ts says what changed). Blank lines are not rows.
 */
export async function profileExport(file: string, limits: { keepLines: number; keepChars: number }): Promise<ExportProfile> {
  const profile: ExportProfile = { lines: 0, unreadable: 0, kept: [], fields: new Map() };
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (!text.trim()) continue;
    profile.lines += 1;
    const { row, reason } = readLine(text);
    if (reason) {
      profile.unreadable += 1;
      if (profile.kept.length < limits.keepLines) profile.kept.push({ line: number, reason, text: text.slice(0, limits.keepChars) });
      continue;
    }
    for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
      const type = typeOf(value);
      let field = profile.fields.get(key);
      if (!field) profile.fields.set(key, (field = { keyed: 0, present: 0, types: new Set() }));
      field.keyed += 1;
      if (type) {
        field.present += 1;
        field.types.add(type);
      }
    }
  }
  return profile;
}

/** A line as a JSON object, or why it is not one. */
function readLine(text: string): { row?: unknown; reason?: string } {
  try {
    const row: unknown = JSON.parse(text);
    return typeOf(row) === 'object' ? { row } : { reason: `a JSON ${typeOf(row) ?? 'null'}, not an object` };
  } catch (err) {
    return { reason: `not JSON: ${(err as Error).message}` };
  }
}

/**
 * Copies the lines of `file` that are JSON objects to `dest`: what is loaded when some lines are
 * not (a warehouse would load a `null` line as a row of nulls, or refuse the whole file).
 */
export async function writeReadableLines(file: string, dest: string): Promise<void> {
  const out = fs.createWriteStream(dest, { encoding: 'utf8' });
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() && !readLine(text).reason && !out.write(`${text}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
