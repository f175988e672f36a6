import { Command } from 'commander';
import { SendLedger, type UnconfirmedSend } from '../channels/ledger';
import { loadConfig } from '../config';
import { actorOf } from '../runtime';
import { Store } from '../store/store';
import { withActor } from './actor';

const OK = 0;
const FAILED = 1;

const UNCONFIRMED_HELP = `
An unconfirmed send is one whose call may have reached the provider without its answer
reaching Waymark: a timeout, a connection lost mid-call, a worker stopped mid-call. Nearly all
of them were delivered, so the run went on as for a send; Braze has no idempotency key, so
Waymark never sends one again by itself. Check each at the provider (Braze: the user's
message history around the time shown), then record what you found with 'waymark sends resolve'.
The worker's metrics count them as waymark_sends{outcome="unconfirmed"}.`;

export function registerSendsCommand(program: Command): void {
  const sends = new Command('sends')
    .description('sends that need an operator: list the unconfirmed ones (probably delivered) and resolve them')
    .addHelpText('after', `${UNCONFIRMED_HELP}

Examples:
  waymark sends unconfirmed
  waymark sends resolve KEY --delivered --note "in Braze message history"`);
  sends
    .command('unconfirmed')
    .description('sends whose outcome is unknown (probably delivered, not confirmed), oldest first')
    .option('--customer <id>', "only this customer's")
    .option('--limit <n>', 'at most N', '100')
    .option('--json', 'print them as JSON')
    .addHelpText('after', `${UNCONFIRMED_HELP}\n\nExits 0 when there is none, 1 when some wait for an operator.\n\nExamples:\n  waymark sends unconfirmed\n  waymark sends unconfirmed --customer ada-1f2e3d --json`)
    .action(async function (this: Command, options: { customer?: string; limit: string; json?: boolean }) {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) this.error(`error: --limit must be a whole number of at least 1, not "${options.limit}"`, { exitCode: 2, code: 'commander.error' });
      process.exitCode = await listUnconfirmed(limit, options.customer, options.json ?? false);
    });
  sends
    .command('resolve')
    .description('record what the provider shows for an unconfirmed send: delivered, or not delivered')
    .argument('<sendKey>', "the send's key, as 'waymark sends unconfirmed' prints it")
    .option('--delivered', 'the provider shows the message was sent (the ledger then says sent)')
    .option('--not-delivered', 'the provider has no such message (the ledger then says failed; nothing is sent)')
    .option('--note <text>', 'what you checked, kept with the finding')
    .option('--actor <name>', 'who resolves it (default: WAYMARK_ACTOR, else user@host)')
    .addHelpText('after', `${UNCONFIRMED_HELP}\n\nExits 1 when the send is not unconfirmed (its state is printed), 2 on a usage error.\n\nExample:\n  waymark sends resolve '["send","onboarding","ada-1f2e3d","evt-1","welcome",1]' --delivered --note "in Braze message history"`)
    .action(async function (this: Command, key: string, options: { delivered?: boolean; notDelivered?: boolean; note?: string; actor?: string }) {
      if (options.delivered === options.notDelivered) this.error('error: give exactly one of --delivered and --not-delivered', { exitCode: 2, code: 'commander.error' });
      const config = withActor(options.actor);
      if (!config) return void (process.exitCode = 2);
      process.exitCode = await resolveSend(new Store(config), key, options.delivered === true, actorOf(config), options.note);
    });
  program.addCommand(sends);
}

function print(s: UnconfirmedSend): void {
  console.log(`${s.intentAt}  ${s.customerId}  ${s.channel} ${s.template} through ${s.provider}  (${s.journeyId} step ${s.stepId})`);
  if (s.detail) console.log(`  ${s.detail}`);
  console.log(`  key ${s.key}`);
}

async function listUnconfirmed(limit: number, customerId: string | undefined, json: boolean): Promise<number> {
  const store = new Store(loadConfig());
  try {
    const found = await new SendLedger(store).unconfirmed(limit, customerId);
    if (json) console.log(JSON.stringify(found, null, 2));
    else if (!found.length) console.log(customerId ? `No unconfirmed send for ${customerId}.` : 'No unconfirmed send.');
    else {
      found.forEach(print);
      console.log(`\n${found.length === limit ? `the ${limit} oldest` : found.length} unconfirmed: probably delivered; check each at the provider, then 'waymark sends resolve KEY --delivered' (or --not-delivered)`);
    }
    return found.length ? FAILED : OK;
  } finally {
    await store.close();
  }
}

async function resolveSend(store: Store, key: string, delivered: boolean, actor: string, note: string | undefined): Promise<number> {
  try {
    const outcome = await new SendLedger(store).resolve(key, delivered, actor, note);
    if (outcome === 'resolved') {
      console.log(`resolved: ${delivered ? 'delivered (the ledger says sent)' : 'not delivered (the ledger says failed)'}, by ${actor}`);
      return OK;
    }
    console.error(outcome === undefined ? `No send with key ${key} in the send ledger ('waymark sends unconfirmed' lists the keys).` : `The send ${key} is not unconfirmed: its state is ${outcome}; nothing changed.`);
    return FAILED;
  } finally {
    await store.close();
  }
}
