import { InvalidArgumentError, type Command } from 'commander';
import { entryMatches } from '../journey/entry-matches';
import pino from 'pino';
import { journeyFor } from './journey-ref';
import { loadConfig } from '../config';
import { durationMs } from '../journey/duration';
import { runEventTypes } from '../journey/event-types';
import { previewJourney, type PreviewResult, type PreviewScenario } from '../journey/preview';
import { EVENT_TYPE, type Journey } from '../journey/schema';
import { installTemporalRuntime } from '../temporal/runtime';
import { createLogger } from '../logger';

type ScriptedEvent = PreviewScenario['events'][number];

interface PreviewOptions {
  attr?: Array<[string, unknown]>;
  property?: Array<[string, unknown]>;
  event?: Array<ScriptedEvent & { text: string }>;
  timezone?: string;
  customer: string;
  entry?: string;
}

const EXIT_USAGE = 2;

/** "k=v": the value is read as JSON when it parses (3, true, "x"), else as text. */
function pair(text: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('write it as key=value, e.g. plan=pro');
  const raw = text.slice(at + 1);
  try {
    return [text.slice(0, at), JSON.parse(raw)];
  } catch {
    return [text.slice(0, at), raw];
  }
}

const collectPair = (text: string, earlier: Array<[string, unknown]> = []) => [...earlier, pair(text)];

/** "TYPE@AFTER[:k=v,k=v]", e.g. "activated@1d12h:plan=pro". */
function collectEvent(text: string, earlier: NonNullable<PreviewOptions['event']> = []): NonNullable<PreviewOptions['event']> {
  const match = /^([^@]+)@([^:]+)(?::(.*))?$/.exec(text);
  if (!match || !EVENT_TYPE.test(match[1]!)) throw new InvalidArgumentError('write it as TYPE@AFTER, e.g. activated@2d, with properties as TYPE@AFTER:k=v,k=v');
  const [, type, after, props] = match as unknown as [string, string, string, string | undefined];
  const afterMs = after === '0' ? 0 : durationMs(after);
  if (afterMs === undefined) throw new InvalidArgumentError(`"${after}" is not a duration such as 30m, 2d or 1d12h`);
  return [...earlier, { text, afterMs, type, properties: Object.fromEntries((props ? props.split(',') : []).map(pair)) }];
}

function timezone(text: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
    return text;
  } catch {
    throw new InvalidArgumentError('not an IANA time zone; use one such as Europe/Paris or America/New_York');
  }
}

export function registerPreviewCommand(journeys: Command): void {
  journeys
    .command('preview')
    .description('run a journey for a made-up customer on a private time-skipping server and print what happens when')
    .argument('<journey>', 'a loaded journey id, or a .json/.yaml/.yml file')
    .option('--attr <key=value>', 'a profile attribute at entry (repeat); the value is read as JSON when it parses', collectPair)
    .option('--entry <type>', 'which entry event starts the run, for a journey with several (default: the first)')
    .option('--property <key=value>', 'a property of the entry event (repeat)', collectPair)
    .option('--event <TYPE@AFTER>', 'the customer sends TYPE at AFTER from entry, e.g. activated@1d12h (repeat); properties as TYPE@AFTER:k=v,k=v', collectEvent)
    .option('--timezone <zone>', "the customer's time zone, e.g. Europe/Paris", timezone)
    .option('--customer <id>', 'the customer id (split paths are sticky per id, so try several)', 'preview-customer')
    .addHelpText(
      'after',
      `
An --event whose type the journey never uses (entry, goals, exits, wait_for_event steps, performed
conditions) is refused: it could not change anything. No real customer, server or channel is touched.
An entry event the journey's entry filter refuses runs nothing: the preview says it would not enter,
and why, as the live router would. Exits 1 when the journey file is invalid or a step failed (a send
without content, a template this customer cannot fill), 2 on a usage error (unknown id, option or
event type).

Examples:
  waymark journeys preview trial-conversion --attr usage_events=12 --event subscription_started@8d
  waymark journeys preview docs/examples/welcome-series.yaml --property source=web --customer ada`,
    )
    .action(async (ref: string, options: PreviewOptions, command: Command) => {
      process.exitCode = await preview(ref, options, command);
    });
}

async function preview(ref: string, options: PreviewOptions, command: Command): Promise<number> {
  const config = loadConfig();
  const journey = journeyFor(ref, config, command);
  if (!journey) return 1;
  const entryTypes = entryMatches(journey.definition).map((m) => m.event);
  if (options.entry !== undefined && !entryTypes.includes(options.entry)) {
    command.error(`error: --entry "${options.entry}" is not an entry event of ${journey.definition.id}; its entry events: ${entryTypes.join(', ')}`, { exitCode: EXIT_USAGE });
  }
  const events = options.event ?? [];
  const unused = unusedEventTypeProblem(journey.definition, events);
  if (unused) command.error(`error: ${unused}`, { exitCode: EXIT_USAGE });
  const scenario: PreviewScenario = {
    customerId: options.customer,
    attributes: Object.fromEntries(options.attr ?? []),
    entryType: options.entry,
    entryProperties: Object.fromEntries(options.property ?? []),
    timezone: options.timezone,
    events: events.map(({ afterMs, type, properties }) => ({ afterMs, type, properties })),
  };
  // Errors only, on stderr: a failed step is in the table already, and the SDK's lines stay out of it.
  installTemporalRuntime(createLogger({ ...config, logLevel: 'error' }, 'preview', pino.destination(2)));
  console.log(`Previewing ${journey.definition.id}@${journey.version} for "${scenario.customerId}" on a private time-skipping server...\n`);
  const result = await previewJourney(journey, scenario, config);
  if ('notEntered' in result) {
    console.log(`Would not enter: ${result.notEntered}; the live router starts nothing for this entry event (--property sets its properties).`);
    return 0;
  }
  for (const line of previewReport(journey.definition, scenario, result)) console.log(line);
  const failed = result.final.failures ?? 0;
  if (failed) console.error(`\n${failed} step(s) failed (the table says why): a live customer would not get what this preview shows.`);
  return failed ? 1 : 0;
}


/** Why the scripted events cannot all matter: a type the journey never looks at (a typo, most often). */
export function unusedEventTypeProblem(journey: Journey, events: Array<{ type: string; text?: string }>): string | undefined {
  const used = new Set([...entryMatches(journey).map((m) => m.event), ...runEventTypes(journey)]);
  const unused = events.find((e) => !used.has(e.type));
  if (!unused) return undefined;
  const given = unused.text ? `--event "${unused.text}"` : `event "${unused.type}"`;
  return `${given}: journey ${journey.id} never uses the event type "${unused.type}", so it could change nothing; the types it uses are ${[...used].sort().join(', ')}`;
}

/** "+0s", "+1d", "+6d 2h 30m": an offset from entry. */
export function formatOffset(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000));
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return `+${parts.join(' ') || '0s'}`;
}

interface Row {
  ms: number;
  /** At the same moment, an event comes before what it caused. */
  rank: number;
  step: string;
  what: string;
}

/** What a waiting step is waiting for, from its definition. */
function waitingFor(journey: Journey, stepId: string): string | undefined {
  const step = journey.steps[stepId];
  if (step?.kind === 'wait') return step.duration ? `waiting ${step.duration}` : `waiting until ${step.until!.time} local`;
  if (step?.kind === 'wait_for_event') return `waiting up to ${step.timeout} for ${step.event}`;
  return undefined;
}

/** What the customer would read first: an email's subject, a push's title, an SMS's text; or why there is no content. */
function headline({ content, contentMissing }: PreviewResult['messages'][number]): string {
  if (!content) return `(no content: ${contentMissing ?? 'not rendered'})`;
  switch (content.channel) {
    case 'email':
      return `"${content.subject}"`;
    case 'push':
      return `"${content.title}" ${content.body}`;
    case 'sms':
      return content.text;
    case 'in_app':
      return content.body;
  }
}

/**
 * The preview as a table in time order (offset from entry, step, what happened), then the
 * messages, then the result. A waiting step shows twice: when it starts and when it ends, so
 * an outcome such as "interrupted" sits at the moment it happened.
 */
export function previewReport(journey: Journey, scenario: PreviewScenario, { final, messages, delivered }: PreviewResult): string[] {
  const entered = Date.parse(final.enteredAt);
  const ended = final.endedAt ? Date.parse(final.endedAt) : undefined;
  const rows: Row[] = [];
  final.path.forEach((entry, i) => {
    const start = Date.parse(entry.at) - entered;
    const waiting = waitingFor(journey, entry.step);
    if (!waiting) {
      rows.push({ ms: start, rank: 1, step: entry.step, what: entry.outcome ?? entry.kind });
      return;
    }
    const next = final.path[i + 1];
    const end = next ? Date.parse(next.at) - entered : ended !== undefined ? ended - entered : start;
    rows.push({ ms: start, rank: 1, step: entry.step, what: waiting });
    if (entry.outcome) rows.push({ ms: end, rank: 1, step: entry.step, what: entry.outcome });
  });
  for (const e of delivered) {
    const props = Object.entries(e.properties).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    rows.push({ ms: e.afterMs, rank: 0, step: '(event)', what: `the customer sent ${e.type}${props ? ` (${props})` : ''}` });
  }
  const ordered = rows.map((r, seq) => ({ ...r, seq })).sort((a, b) => a.ms - b.ms || a.rank - b.rank || a.seq - b.seq);
  const table = [['offset', 'step', 'what happened'], ...ordered.map((r) => [formatOffset(r.ms), r.step, r.what])];
  const widths = [0, 1].map((c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = table.map(([offset, step, what]) => `  ${offset!.padEnd(widths[0]!)}  ${step!.padEnd(widths[1]!)}  ${what}`);
  if (final.pathDropped) lines.splice(1, 0, `  (${final.pathDropped} earlier steps were not kept)`);

  lines.push('');
  const skipped = scenario.events.length - delivered.length;
  if (skipped) lines.push(`${skipped} scripted event(s) came after the journey had ended and were not sent.`);
  lines.push(`Messages: ${messages.length || 'none'}`);
  for (const m of messages) lines.push(`  ${m.channel} ${m.template}: ${headline(m)}`);
  const after = ended !== undefined ? ` after ${formatOffset(ended - entered).slice(1)}` : '';
  lines.push(`Result: ${final.status}${after}${final.reason ? `: ${final.reason}` : ''}`);
  return lines;
}
