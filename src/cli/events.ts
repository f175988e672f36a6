import fs from 'node:fs';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type Config } from '../config';
import { loadCatalog } from '../runtime';
import { connectClient } from '../temporal/connect';
import { ApiError } from '../api/errors';
import { knownEventTypes } from '../api/known-types';
import { OrderedPool } from '../api/ordered-pool';
import { temporalGateway } from '../api/temporal';
import { checkEvent, eventRules, type EventRules } from '../api/validation';

interface SendOptions {
  type: string;
  customer: string;
  property?: Array<[string, unknown]>;
  timestamp?: string;
  messageId?: string;
}

/**
 * `waymark events`: send one event or replay a JSON Lines file straight to Temporal (no HTTP),
 * with the same validation as the event API.
 */
export function registerEventsCommand(program: Command): void {
  const events = program
    .command('events')
    .description("hand events to Temporal directly (no HTTP), with the event API's validation")
    .addHelpText('after', '\nExamples:\n  waymark events send --type signed_up --customer cus_123\n  waymark events replay events.jsonl');
  events
    .command('send')
    .description('send one event')
    .requiredOption('--type <type>', 'event type, e.g. signed_up')
    .requiredOption('--customer <customerId>', 'the customer it is about')
    .option('--property <key=value>', 'a property, repeatable; the value is read as JSON when it parses (3, true, {"a":1}), else as text', addProperty)
    .option('--timestamp <iso>', 'when it happened, ISO 8601 with a zone (default: now)')
    .option('--message-id <id>', 'its unique id; sending the same id again is dropped as a duplicate (default: a random UUID)')
    .addHelpText(
      'after',
      `
Exits 1 when the event is rejected (the message names the option to fix) or Temporal does not take it.

Example:
  waymark events send --type signed_up --customer cus_123 --property plan=pro --property seats=3`,
    )
    .action(async (options: SendOptions) => {
      process.exitCode = await send(options);
    });
  events
    .command('replay')
    .description('send every event of a JSON Lines file, in file order per customer')
    .argument('<file>', 'one event per line, in the shape POST /v1/events takes')
    .option('--concurrency <n>', 'customers sent in parallel (overrides WAYMARK_REPLAY_CONCURRENCY)')
    .addHelpText(
      'after',
      `
Prints one line per rejected line (its number and why) and exits 1 when any was rejected.
Replaying a file again is safe: events already accepted are dropped by their messageId.

Example:
  waymark events replay events.jsonl --concurrency 32`,
    )
    .action(async (file: string, options: { concurrency?: string }) => {
      process.exitCode = await replay(file, options.concurrency);
    });
}

function rulesFor(config: Config): EventRules {
  return eventRules(config, knownEventTypes(loadCatalog(config)));
}

async function connect(config: Config) {
  return temporalGateway(await connectClient(config), config);
}

/** "k=v": the value is read as JSON when it parses (numbers, booleans, quoted strings, objects), else as text. */
function addProperty(pair: string, earlier: Array<[string, unknown]> = []): Array<[string, unknown]> {
  const at = pair.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('write it as key=value, e.g. --property plan=pro');
  const raw = pair.slice(at + 1);
  try {
    return [...earlier, [pair.slice(0, at), JSON.parse(raw)]];
  } catch {
    return [...earlier, [pair.slice(0, at), raw]];
  }
}

/** The option that sets each event field, so a rejection names what the user typed. */
const OPTION_FOR_FIELD: Record<string, string> = { messageId: '--message-id', type: '--type', customerId: '--customer', timestamp: '--timestamp' };

function optionFor(path: string): string {
  return OPTION_FOR_FIELD[path] ?? (path.startsWith('properties') ? '--property' : path);
}

async function send(options: SendOptions): Promise<number> {
  const config = loadConfig();
  const checked = checkEvent(
    {
      messageId: options.messageId ?? randomUUID(),
      type: options.type,
      customerId: options.customer,
      timestamp: options.timestamp ?? new Date().toISOString(),
      properties: Object.fromEntries(options.property ?? []),
    },
    rulesFor(config),
  );
  if (!checked.ok) {
    const { code, path, message } = checked.error;
    console.error(`rejected (${code}): ${optionFor(path)}: ${message}`);
    return 1;
  }
  try {
    await (await connect(config)).submit(checked.event);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    console.error(`not accepted: ${err.code}: ${err.message}`);
    return 1;
  }
  console.log(`accepted ${checked.event.type} for ${checked.event.customerId} (messageId ${checked.event.messageId})`);
  if (checked.unknownType) console.log(`note: no published journey uses the type "${checked.event.type}"; it has no effect`);
  return 0;
}

interface Rejection {
  line: number;
  code: string;
  message: string;
}

async function replay(file: string, concurrency: string | undefined): Promise<number> {
  const config = loadConfig(process.env, concurrency === undefined ? {} : { WAYMARK_REPLAY_CONCURRENCY: concurrency });
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    console.error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    return 1;
  }
  if (stat.isDirectory()) {
    console.error(`${file} is a folder; give a JSON Lines file (one event per line)`);
    return 1;
  }
  const rules = rulesFor(config);
  const gateway = await connect(config);
  const pool = new OrderedPool(config.replay.concurrency);
  const progress = new Progress(stat.size);
  const rejections: Rejection[] = [];
  const unknownTypes = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let accepted = 0;
  let lineNo = 0;

  const reject = (line: number, error: unknown) => {
    const known = error instanceof ApiError;
    rejections.push({ line, code: known ? error.code : 'INTERNAL_ERROR', message: known ? error.message : String(error) });
    progress.tick(accepted, rejections.length);
  };
  const stream = fs.createReadStream(file);
  stream.on('data', (chunk) => progress.read(chunk.length));
  for await (const text of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
    const line = ++lineNo;
    if (!text.trim()) continue;
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch {
      reject(line, new ApiError('INVALID_JSON', '', 'the line is not valid JSON; each line must be one JSON object'));
      continue;
    }
    const checked = checkEvent(input, rules);
    if (!checked.ok) {
      reject(line, checked.error);
      continue;
    }
    const { event, unknownType } = checked;
    await pool.room();
    const done = pool.add(event.customerId, () => gateway.submit(event)).then((outcome) => {
      if (outcome.status === 'failed') return reject(line, outcome.error);
      if (outcome.status === 'skipped') return reject(line, new ApiError('TEMPORAL_UNAVAILABLE', '', `not sent: an earlier event of customer "${event.customerId}" failed`));
      accepted++;
      if (unknownType) unknownTypes.set(event.type, (unknownTypes.get(event.type) ?? 0) + 1);
      progress.tick(accepted, rejections.length);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  }
  await Promise.all(inFlight);
  progress.finish(accepted, rejections.length);

  console.log(`${file}: ${accepted} accepted, ${rejections.length} rejected (${lineNo} lines)`);
  for (const r of rejections.sort((a, b) => a.line - b.line)) console.log(`  line ${r.line}: ${r.code}: ${r.message}`);
  if (unknownTypes.size) {
    const list = [...unknownTypes].map(([type, n]) => `${type} (${n})`).join(', ');
    console.log(`note: no published journey uses these accepted types, so they have no effect: ${list}`);
  }
  if (rejections.some((r) => r.code === 'TEMPORAL_UNAVAILABLE')) console.log('Replaying the file again is safe: accepted messageIds are dropped as duplicates.');
  return rejections.length ? 1 : 0;
}

/** A one-line progress bar on stderr when it is a terminal; silent otherwise (logs and pipes get the summary only). */
class Progress {
  private bytes = 0;
  private shownAt = 0;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;

  constructor(private readonly totalBytes: number) {}

  read(bytes: number): void {
    this.bytes += bytes;
  }

  tick(accepted: number, rejected: number): void {
    if (!this.tty || Date.now() - this.shownAt < 100) return;
    this.shownAt = Date.now();
    const share = this.totalBytes ? Math.min(1, this.bytes / this.totalBytes) : 1;
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    const rate = Math.round(accepted / Math.max(0.001, (Date.now() - this.started) / 1000));
    process.stderr.write(`\r[${bar}] ${Math.round(share * 100)}%  accepted ${accepted}  rejected ${rejected}  ${rate}/s `);
  }

  finish(accepted: number, rejected: number): void {
    this.shownAt = 0;
    this.bytes = this.totalBytes;
    this.tick(accepted, rejected);
    if (this.tty) process.stderr.write('\n');
  }
}
