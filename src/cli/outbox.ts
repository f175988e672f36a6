import type { Command } from 'commander';
import type { OutboxRecord } from '../channels/local';
import type { RenderedContent } from '../channels/port';
import { loadConfig } from '../config';
import { createDeps } from '../runtime';
import { describeSource } from '../customers/messages';

export function registerOutboxCommand(program: Command): void {
  program
    .command('outbox')
    .description("the local channel's messages (the embedded default channel): recipient, content and where each came from")
    .option('--customer <id>', "only this customer's messages")
    .option('--limit <n>', 'the newest N messages', '20')
    .option('--json', 'print the messages as JSON (what the channel received)')
    .addHelpText(
      'after',
      `
Messages are rows of the store's local_messages table, one per send key; the send ledger
(waymark customer ID) says what became of each send, on any channel.

Examples:
  waymark outbox                       the 20 newest messages
  waymark outbox --customer ada-1f2e3d
  waymark outbox --limit 100 --json`,
    )
    .action(async function (this: Command, options: { customer?: string; limit: string; json?: boolean }) {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) this.error(`error: --limit must be a whole number of at least 1, not "${options.limit}"`, { exitCode: 2, code: 'commander.error' });
      process.exitCode = await outbox(options.customer, limit, options.json ?? false);
    });
}

function describeContent(content: RenderedContent | undefined, missing: string | undefined): string[] {
  if (!content) return [`(no content: ${missing ?? 'not rendered'})`];
  switch (content.channel) {
    case 'email':
      return [`Subject: ${content.subject}`, ...(content.preheader ? [`Preheader: ${content.preheader}`] : []), '', ...content.text.split('\n')];
    case 'sms':
      return content.text.split('\n');
    case 'push':
      return [`Title: ${content.title}`, content.body];
    case 'in_app':
      return [...(content.title ? [`Title: ${content.title}`] : []), content.body];
  }
}

function print(m: OutboxRecord): void {
  const to = [m.recipient?.email, m.recipient?.phone].filter(Boolean).join(', ') || 'no address on the profile';
  console.log(`${m.recordedAt}  ${m.channel} to ${m.customerId} (${to})`);
  const source = m.contentSource && m.contentSource.kind !== 'template' ? `, words from the ${describeSource(m.contentSource)}` : '';
  console.log(`  ${m.journeyId}@${m.journeyVersion} step ${m.stepId}, template ${m.template}${m.templateVersion ? `@${m.templateVersion}` : ''}${m.transactional ? ', transactional' : ''}${source}`);
  for (const line of describeContent(m.content, m.contentMissing)) console.log(`  | ${line}`);
  console.log('');
}

async function outbox(customerId: string | undefined, limit: number, json: boolean): Promise<number> {
  const deps = createDeps(loadConfig());
  try {
    const messages = await deps.outbox.list(customerId, limit);
    if (json) console.log(JSON.stringify(messages, null, 2));
    else if (!messages.length) console.log(customerId ? `No message for ${customerId} in the local channel.` : 'The local channel has no message yet.');
    else messages.forEach(print);
    return 0;
  } finally {
    await deps.store.close();
  }
}
