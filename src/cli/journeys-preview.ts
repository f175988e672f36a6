import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { loadCatalog } from '../runtime';
import { JOURNEY_FILE, readJourneyFile } from '../journey/catalog';
import { publishJourney } from '../journey/publish';
import { durationMs } from '../journey/duration';
import { previewJourney, type PreviewScenario } from '../journey/preview';
import { EVENT_TYPE, type PublishedJourney } from '../journey/schema';

export const PREVIEW_USAGE = `usage: waymark journeys preview ID|FILE [options]
  --attr k=v             a profile attribute at entry (repeat); values are read as JSON when they parse
  --property k=v         a property of the entry event (repeat)
  --event TYPE@AFTER     the customer sends TYPE at AFTER from entry, e.g. activated@1d12h (repeat);
                         add properties as TYPE@AFTER:k=v,k=v
  --timezone TZ          the customer's time zone, e.g. Europe/Paris
  --customer ID          the customer id (splits are sticky per id)`;

class UsageError extends Error {}

function pair(text: string, flag: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at < 1) throw new UsageError(`${flag} "${text}" must be key=value`);
  const raw = text.slice(at + 1);
  try {
    return [text.slice(0, at), JSON.parse(raw)];
  } catch {
    return [text.slice(0, at), raw];
  }
}

function parseEvent(text: string): PreviewScenario['events'][number] {
  const match = /^([^@]+)@([^:]+)(?::(.*))?$/.exec(text);
  if (!match || !EVENT_TYPE.test(match[1]!)) throw new UsageError(`--event "${text}" must be TYPE@AFTER, e.g. activated@2d`);
  const [, type, after, props] = match as unknown as [string, string, string, string | undefined];
  const afterMs = after === '0' ? 0 : durationMs(after);
  if (afterMs === undefined) throw new UsageError(`--event "${text}": "${after}" is not a duration such as 30m, 2d or 1d12h`);
  const properties = Object.fromEntries((props ? props.split(',') : []).map((p) => pair(p, '--event property')));
  return { afterMs, type, properties };
}

function journeyFor(ref: string, config: Config): PublishedJourney {
  const limits = { maxWaitMs: config.journeys.maxWaitMs };
  if (JOURNEY_FILE.test(ref)) return publishJourney(readJourneyFile(ref), ref, limits);
  const found = loadCatalog(config).get(ref);
  if (!found) throw new UsageError(`no journey "${ref}"; 'waymark journeys list' shows the ids, or pass a .json/.yaml file`);
  return found;
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

/** `waymark journeys preview ...`: what a made-up customer would get, step by step. */
export async function previewCommand(args: string[], config: Config): Promise<number> {
  let journey: PublishedJourney;
  let scenario: PreviewScenario;
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        attr: { type: 'string', multiple: true, default: [] },
        property: { type: 'string', multiple: true, default: [] },
        event: { type: 'string', multiple: true, default: [] },
        timezone: { type: 'string' },
        customer: { type: 'string', default: 'preview-customer' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('name one journey id or file');
    journey = journeyFor(positionals[0]!, config);
    scenario = {
      customerId: values.customer,
      attributes: Object.fromEntries(values.attr.map((a) => pair(a, '--attr'))),
      entryProperties: Object.fromEntries(values.property.map((p) => pair(p, '--property'))),
      timezone: values.timezone,
      events: values.event.map(parseEvent),
    };
  } catch (err) {
    if (!(err instanceof UsageError) && !(err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw err;
    console.error(`waymark journeys preview: ${(err as Error).message}\n\n${PREVIEW_USAGE}`);
    return 2;
  }

  console.log(`Previewing ${journey.definition.id}@${journey.version} for "${scenario.customerId}" on a private time-skipping server...`);
  const { final, messages, delivered } = await previewJourney(journey, scenario, config);
  const entered = Date.parse(final.enteredAt);
  const rows = [
    ...final.path.map((p) => ({ ms: Date.parse(p.at) - entered, text: `${p.step.padEnd(20)} ${p.kind.padEnd(16)} ${p.outcome ?? ''}` })),
    ...delivered.map((e) => ({ ms: e.afterMs, text: `${'(event)'.padEnd(20)} ${e.type}` })),
  ].sort((a, b) => a.ms - b.ms);
  console.log('');
  for (const row of rows) console.log(`  ${formatOffset(row.ms).padEnd(15)} ${row.text}`);
  const ended = final.endedAt ? ` after ${formatOffset(Date.parse(final.endedAt) - entered).slice(1)}` : '';
  console.log(`\nResult: ${final.status}${final.reason ? ` (${final.reason})` : ''}${ended}; ${messages.length} message(s): ${messages.map((m) => m.template).join(', ') || 'none'}`);
  const skipped = scenario.events.length - delivered.length;
  if (skipped) console.log(`${skipped} scripted event(s) came after the journey had ended.`);
  return 0;
}
