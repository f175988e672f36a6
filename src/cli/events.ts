import fs from 'node:fs';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config';
import { loadCatalog } from '../runtime';
import { connectClient } from '../temporal/connect';
import { ApiError } from '../api/errors';
import { knownEventTypes } from '../api/known-types';
import { OrderedPool } from '../api/ordered-pool';
import { temporalGateway } from '../api/temporal';
import { checkEvent, type EventRules } from '../api/validation';

const USAGE = `usage:
  waymark events send --type T --customer C [--property k=v ...] [--timestamp ISO] [--message-id ID]
  waymark events replay FILE.jsonl [--concurrency N]`;

/**
 * `waymark events`: send one event or replay a JSON Lines file straight to Temporal (no HTTP),
 * with the same validation as the event API.
 */
export async function eventsCommand([sub, ...args]: string[]): Promise<number> {
  try {
    if (sub === 'send') return await send(args);
    if (sub === 'replay') return await replay(args);
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw err;
    console.error(`waymark events: ${(err as Error).message}`);
  }
  console.error(USAGE);
  return 2;
}

function rulesFor(config: Config): EventRules {
  const { maxFutureSkewMs, rejectUnknownTypes } = config.api;
  return { maxFutureSkewMs, rejectUnknownTypes, knownTypes: knownEventTypes(loadCatalog(config)) };
}

async function connect(config: Config) {
  return temporalGateway(await connectClient(config), config);
}

/** "k=v": the value is read as JSON when it parses (numbers, booleans, quoted strings, objects), else as text. */
function parseProperty(pair: string): [string, unknown] {
  const at = pair.indexOf('=');
  if (at < 1) throw new ApiError('FIELD_FORMAT', 'properties', `--property "${pair}" must be key=value`);
  const raw = pair.slice(at + 1);
  try {
    return [pair.slice(0, at), JSON.parse(raw)];
  } catch {
    return [pair.slice(0, at), raw];
  }
}

async function send(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      type: { type: 'string' },
      customer: { type: 'string' },
      property: { type: 'string', multiple: true },
      timestamp: { type: 'string' },
      'message-id': { type: 'string' },
    },
  });
  const config = loadConfig();
  const checked = checkEvent(
    {
      messageId: values['message-id'] ?? randomUUID(),
      type: values.type,
      customerId: values.customer,
      timestamp: values.timestamp ?? new Date().toISOString(),
      properties: Object.fromEntries((values.property ?? []).map(parseProperty)),
    },
    rulesFor(config),
  );
  if (!checked.ok) {
    console.error(`rejected: ${checked.error.code}: ${checked.error.message}\n\n${USAGE}`);
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

async function replay(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { concurrency: { type: 'string' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(process.env, values.concurrency ? { WAYMARK_REPLAY_CONCURRENCY: values.concurrency } : {});
  const rules = rulesFor(config);
  const gateway = await connect(config);
  const pool = new OrderedPool(config.replay.concurrency);
  const progress = new Progress(fs.statSync(file).size);
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
