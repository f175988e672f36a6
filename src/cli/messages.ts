import type { Command } from 'commander';
import { stateLabel, type LedgerState } from '../channels/ledger';
import type { ContentSource } from '../content/port';
import type { OutboxRecord } from '../channels/local';
import type { RenderedContent } from '../channels/port';
import type { SplitVariant } from '../../workflows/contract';
import { loadConfig } from '../config';
import { describeStore, Store } from '../store/store';

const OK = 0;
const FAILED = 1;

/** One send as the ledger records it, with what the local channel stored of it (when it went there). */
export interface MessageView {
  key: string;
  customerId: string;
  journeyId: string;
  journeyVersion: string;
  stepId: string;
  channel: string;
  template: string;
  templateVersion: string | null;
  provider: string;
  state: LedgerState;
  attempts: number;
  /** When the intent was recorded, when the run asked for it (its clock), when the outcome was. */
  intentAt: string;
  requestedAt: string;
  outcomeAt: string | null;
  recipient: { externalId: string; email?: string; phone?: string };
  providerMessageId: string | null;
  triggeringEvent: string | null;
  detail: string | null;
  workflowId: string;
  runId: string;
  /** Which source wrote the words (the send ledger's record, on any provider); null before the content was made. */
  contentSource: ContentSource | null;
  /** The split path the run took before this send (null: none). */
  variant: SplitVariant | null;
  /** The message the local channel received (content, recipient, content source); null for another provider. */
  stored: OutboxRecord | null;
}

interface Row {
  send_key: string;
  customer_id: string;
  journey_id: string;
  journey_version: string;
  step_id: string;
  channel: string;
  template: string;
  template_version: string | null;
  provider: string;
  state: LedgerState;
  attempts: number;
  intent_at: Date;
  requested_at: Date;
  outcome_at: Date | null;
  provider_message_id: string | null;
  triggering_event: string | null;
  detail: string | null;
  workflow_id: string;
  run_id: string;
  content_source: ContentSource | null;
  variant: SplitVariant | null;
  message: OutboxRecord | null;
  recorded_at: Date | null;
}

const SELECT = `SELECT l.send_key, l.customer_id, l.journey_id, l.journey_version, l.step_id, l.channel, l.template, l.template_version, l.provider,
  l.state, l.attempts, l.intent_at, l.requested_at, l.outcome_at, l.provider_message_id, l.triggering_event, l.detail, l.workflow_id, l.run_id, l.content_source, l.variant,
  m.message, m.recorded_at
  FROM send_ledger l LEFT JOIN local_messages m ON m.send_key = l.send_key`;

function view(r: Row): MessageView {
  const stored = r.message ? { ...r.message, recordedAt: r.recorded_at!.toISOString() } : null;
  return {
    key: r.send_key,
    customerId: r.customer_id,
    journeyId: r.journey_id,
    journeyVersion: r.journey_version,
    stepId: r.step_id,
    channel: r.channel,
    template: r.template,
    templateVersion: r.template_version,
    provider: r.provider,
    state: r.state,
    attempts: r.attempts,
    intentAt: r.intent_at.toISOString(),
    requestedAt: r.requested_at.toISOString(),
    outcomeAt: r.outcome_at?.toISOString() ?? null,
    recipient: stored?.recipient ?? { externalId: r.customer_id },
    providerMessageId: r.provider_message_id,
    triggeringEvent: r.triggering_event,
    detail: r.detail,
    workflowId: r.workflow_id,
    runId: r.run_id,
    contentSource: r.content_source,
    variant: r.variant,
    stored,
  };
}

/** Every send of a customer, oldest first; or the one send with `key` (of that customer, when one is given). */
export async function readMessages(store: Store, query: { customerId?: string; key?: string }): Promise<MessageView[]> {
  const where: string[] = [];
  const values: string[] = [];
  if (query.customerId !== undefined) where.push(`l.customer_id = $${values.push(query.customerId)}`);
  if (query.key !== undefined) where.push(`l.send_key = $${values.push(query.key)}`);
  const { rows } = await store.query<Row>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY l.intent_at, l.send_key`, values);
  return rows.map(view);
}

export function registerMessagesCommand(program: Command): void {
  program
    .command('messages')
    .description("a customer's messages on every channel: the send ledger, with the content the local channel stored")
    .option('--customer <id>', 'the customer whose messages to list')
    .option('--key <sendKey>', 'show one message whole, content included (keys are in the listing)')
    .option('--json', 'print the messages as JSON')
    .addHelpText(
      'after',
      `
Each message is a row of the send ledger: the intent recorded before the channel was called,
then its state: sent, failed (for good), retry (not sent; the next attempt may send),
unconfirmed (the call may have reached the provider and its answer was lost: probably
delivered, never sent again by itself; 'waymark sends unconfirmed' lists them to resolve) or
intent (an attempt is under way, or stopped before recording its outcome). The content is shown for
the local channel, which stores it: in the listing, each message's subject (or title, or first
line of text), or why it has none; with --key, whole. Braze keeps its own copy (look it up there
by the provider message id).

Exits 1 when there is no such message, or the store cannot be reached.

Examples:
  waymark messages --customer ada-1f2e3d
  waymark messages --customer ada-1f2e3d --json
  waymark messages --customer ada-1f2e3d --key '["send","onboarding","ada-1f2e3d","evt-1","welcome",1]'`,
    )
    .action(async function (this: Command, options: { customer?: string; key?: string; json?: boolean }) {
      if (options.customer === undefined && options.key === undefined) this.error("error: required option '--customer <id>' (or '--key <sendKey>') not specified", { exitCode: 2, code: 'commander.error' });
      process.exitCode = await messagesCommand({ customerId: options.customer, key: options.key }, options.json ?? false);
    });
}

async function messagesCommand(query: { customerId?: string; key?: string }, json: boolean): Promise<number> {
  const config = loadConfig();
  const store = new Store(config);
  try {
    try {
      await store.pool();
    } catch (err) {
      const { code, message } = err as { code?: unknown; message?: string };
      // A refused connection to "localhost" (IPv6 and IPv4) is an AggregateError without a message: its code says it.
      const why = code === 'STORE_SCHEMA' ? message : `cannot reach ${describeStore(config)}: ${message || String(code ?? err)}`;
      console.error(`${why}\nStart the store ('waymark dev' starts the embedded one) or point WAYMARK_DATABASE_URL at it; 'waymark db status' checks it.`);
      return FAILED;
    }
    const messages = await readMessages(store, query);
    if (!messages.length) {
      const whose = query.customerId === undefined ? '' : ` of customer "${query.customerId}"`;
      console.error(query.key === undefined ? `No message${whose} in the send ledger: no journey has sent them anything ('waymark customer ${query.customerId}' shows their journeys).` : `No message with send key ${query.key}${whose} in the send ledger.`);
      return FAILED;
    }
    if (json) console.log(JSON.stringify(query.key === undefined ? messages.map(({ stored, ...m }) => ({ ...m, content: stored?.content ?? null })) : messages[0], null, 2));
    else if (query.key === undefined) messages.forEach(printLine);
    else printWhole(messages[0]!);
    return OK;
  } finally {
    await store.close();
  }
}

const when = (m: MessageView) => m.outcomeAt ?? m.intentAt;
/** A headline longer than this is cut (the listing is one line per fact). */
const HEADLINE_CHARS = 100;
const address = (m: MessageView) => [m.recipient.email, m.recipient.phone].filter(Boolean).join(', ') || (m.stored ? 'no address on the profile' : `${m.provider} external id ${m.recipient.externalId}`);

function printLine(m: MessageView): void {
  console.log(`${when(m)}  ${stateLabel(m.state).padEnd(7)}  ${m.channel} ${m.template}${m.templateVersion ? `@${m.templateVersion}` : ''}  ${m.journeyId}@${m.journeyVersion} step ${m.stepId}`);
  console.log(`  to ${address(m)}; ${m.provider}${m.providerMessageId ? ` message id ${m.providerMessageId}` : ''}; event ${m.triggeringEvent ?? '(none recorded)'}${m.attempts > 1 ? `; ${m.attempts} attempts` : ''}`);
  if (m.detail && m.state !== 'sent') console.log(`  ${m.detail}`);
  if (m.stored) console.log(`  ${m.stored.content ? headline(m.stored.content) : `(no content: ${m.stored.contentMissing ?? 'not rendered'})`}`);
  const notes = [m.contentSource && m.contentSource.kind !== 'template' ? `words from the ${describeSource(m.contentSource)}` : '', m.variant ? `split ${describeVariant(m.variant)}` : ''].filter(Boolean);
  if (notes.length) console.log(`  ${notes.join('; ')}`);
  console.log(`  key ${m.key}`);
}

/** The first words a person sees of a message: its subject or title, else the first line of its text. */
function headline(content: RenderedContent): string {
  const first = (text: string) => {
    const line = text.split('\n').find((l) => l.trim()) ?? '';
    return line.length > HEADLINE_CHARS ? `${line.slice(0, HEADLINE_CHARS)}...` : line;
  };
  switch (content.channel) {
    case 'email':
      return `Subject: ${first(content.subject)}`;
    case 'sms':
      return `Text: ${first(content.text)}`;
    case 'push':
      return `Title: ${first(content.title)}`;
    case 'in_app':
      return content.title ? `Title: ${first(content.title)}` : `Body: ${first(content.body)}`;
  }
}

function contentLines(content: RenderedContent): string[] {
  const block = (label: string, text: string) => [`${label}:`, ...text.split('\n').map((line) => `  | ${line}`)];
  switch (content.channel) {
    case 'email':
      return [`Subject: ${content.subject}`, ...(content.preheader ? [`Preheader: ${content.preheader}`] : []), ...block('Text', content.text), ...block('HTML', content.html)];
    case 'sms':
      return block('Text', content.text);
    case 'push':
      return [`Title: ${content.title}`, ...block('Body', content.body)];
    case 'in_app':
      return [...(content.title ? [`Title: ${content.title}`] : []), ...block('Body', content.body)];
  }
}

/** "template", "model gemini-2.5-flash (gemini-2.5-flash-001)", "template, as fallback (MODEL_TIMEOUT: ...)". */
export function describeSource(source: ContentSource): string {
  switch (source.kind) {
    case 'template':
      return 'template';
    case 'model':
      return `model ${source.model}${source.modelVersion ? ` (${source.modelVersion})` : ''}`;
    case 'fallback':
      return `template, as fallback (${source.code}: ${source.reason})`;
  }
}

const describeVariant = (v: SplitVariant) => `${v.path} at step ${v.step}${v.holdout ? ' (holdout)' : ''}`;

function printWhole(m: MessageView): void {
  const fields: Array<[string, string | number | null]> = [
    ['Send key', m.key],
    ['Customer', m.customerId],
    ['State', `${stateLabel(m.state)}${m.detail ? `: ${m.detail}` : ''}`],
    ['Attempts', m.attempts],
    ['Asked at', m.requestedAt],
    ['Recorded', `${m.intentAt} (intent)${m.outcomeAt ? `, ${m.outcomeAt} (outcome)` : ''}`],
    ['Journey', `${m.journeyId}@${m.journeyVersion} step ${m.stepId}`],
    ['Run', `${m.workflowId} (run ${m.runId})`],
    ['Triggering event', m.triggeringEvent],
    ['Channel', `${m.channel} through ${m.provider}`],
    ['Template', `${m.template}${m.templateVersion ? `@${m.templateVersion}` : ''}`],
    ['Recipient', `${address(m)} (external id ${m.recipient.externalId})`],
    ['Provider message id', m.providerMessageId],
    ['Content source', m.contentSource ? describeSource(m.contentSource) : null],
    ['Split variant', m.variant ? describeVariant(m.variant) : null],
  ];
  for (const [label, value] of fields) if (value !== null) console.log(`${`${label}:`.padEnd(21)}${value}`);
  console.log('');
  if (!m.stored) console.log(`(content not stored here: ${m.provider} has it${m.providerMessageId ? ` under ${m.providerMessageId}` : ''})`);
  else if (!m.stored.content) console.log(`(no content: ${m.stored.contentMissing ?? 'not rendered'})`);
  else for (const line of contentLines(m.stored.content)) console.log(line);
}
