import type { Command } from 'commander';
import { stateLabel } from '../channels/ledger';
import type { RenderedContent } from '../channels/port';
import type { SplitVariant } from '../../workflows/contract';
import { loadConfig } from '../config';
import { describeSource, headline, readMessages, type MessageView } from '../customers/messages';
import { describeStore, Store } from '../store/store';

const OK = 0;
const FAILED = 1;

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
