import { withActor } from './actor';
import type { Command } from 'commander';
import type { Config } from '../config';
import { actorOf } from '../runtime';
import { JourneyStore, type LifecycleAction } from '../store/journeys';
import { Store } from '../store/store';
import { connectClient } from '../temporal/connect';
import { resolveVersion } from './journeys-versions';
import { sweepArchivedRuns } from '../journey/live-runs';

const OK = 0;
const FAILED = 1;

const ACTOR_OPTION = ['--actor <name>', 'who the change is recorded as made by (default: WAYMARK_ACTOR, else user@host)'] as const;

/** `pause`, `resume`, `archive`, `rollback`: each recorded in the journey's history with its actor. */
export function registerLifecycleCommands(journeys: Command): void {
  const status = (action: LifecycleAction, description: string, after: string) =>
    journeys
      .command(action)
      .description(description)
      .argument('<id>', 'a published journey id')
      .option(...ACTOR_OPTION)
      .addHelpText('after', after)
      .action(async (id: string, options: { actor?: string }) => {
        const config = withActor(options.actor);
        process.exitCode = config ? await (action === 'archive' ? archive(id, config) : setStatus(id, action, config)) : FAILED;
      });

  status('pause', 'stop new customers entering the journey; customers already in it go on', '\nTakes effect within WAYMARK_CATALOG_REFRESH, without a restart.\n\nExample:\n  waymark journeys pause onboarding');
  status('resume', 'let new customers enter a paused (or archived) journey again', '\nExample:\n  waymark journeys resume onboarding');
  status(
    'archive',
    'stop new entries and end every running run of the journey, recording who archived it',
    `
Sets the status first (no new customers within WAYMARK_CATALOG_REFRESH), then signals each running
run, which exits with the reason "journey archived by ACTOR at TIME". A second sweep after
WAYMARK_CATALOG_REFRESH plus WAYMARK_ARCHIVE_SWEEP_MARGIN catches runs that were starting at that
moment. Running it again sweeps again. Exits 1 when a run could not be told (Temporal unreachable).

Example:
  waymark journeys archive winback --actor ada`,
  );

  journeys
    .command('rollback')
    .description('make an older version current again: new customers enter it; runs keep the version they have')
    .argument('<id>', 'a published journey id')
    .argument('[version]', "the version to go back to, or the start of it (default: the one current before the latest publish or rollback)")
    .option(...ACTOR_OPTION)
    .addHelpText('after', "\n'waymark journeys versions ID' lists the versions.\n\nExamples:\n  waymark journeys rollback onboarding\n  waymark journeys rollback onboarding b4a6")
    .action(async (id: string, version: string | undefined, options: { actor?: string }) => {
      const config = withActor(options.actor);
      process.exitCode = config ? await rollback(id, version, config) : FAILED;
    });
}

const refresh = (config: Config) => `${config.store.catalogRefreshMs / 1000}s (WAYMARK_CATALOG_REFRESH)`;

async function setStatus(id: string, action: 'pause' | 'resume', config: Config): Promise<number> {
  const { before, after } = await new JourneyStore(new Store(config)).setStatus(id, action, actorOf(config));
  if (before.status === after.status) {
    console.log(`${id} is already ${after.status}; nothing changed`);
    return OK;
  }
  const effect = action === 'pause' ? 'takes no new customers (customers already in it go on)' : 'takes new customers again';
  console.log(`${id}: ${before.status} -> ${after.status} by ${actorOf(config)}; within ${refresh(config)} it ${effect}`);
  return OK;
}

async function archive(id: string, config: Config): Promise<number> {
  const actor = actorOf(config);
  const { before, after } = await new JourneyStore(new Store(config)).setStatus(id, 'archive', actor);
  console.log(
    before.status === after.status
      ? `${id} was already archived (since ${after.changedAt.toISOString()}); telling its running runs again`
      : `${id}: ${before.status} -> archived by ${actor}; within ${refresh(config)} it takes no new customers`,
  );
  const notice = { actor, at: after.changedAt.toISOString() };
  let client;
  try {
    client = await connectClient(config);
  } catch (err) {
    console.error(`its running runs were NOT told to exit: ${(err as Error).message}\nRun 'waymark journeys archive ${id}' again once Temporal is reachable.`);
    return FAILED;
  }
  const { first, second } = await sweepArchivedRuns(client, config, id, notice, console.log);
  const failed = first.failed + second.failed;
  console.log(`${first.told + second.told} run(s) told to exit in all; each ends as exited, reason "journey archived by ${actor} at ${notice.at}"`);
  if (failed) console.error(`${failed} run(s) were not reached; run 'waymark journeys archive ${id}' again to retry them`);
  return failed ? FAILED : OK;
}

async function rollback(id: string, ref: string | undefined, config: Config): Promise<number> {
  const journeys = new JourneyStore(new Store(config));
  let version: string | undefined;
  if (ref !== undefined) {
    const found = await resolveVersion(journeys, `${id}@${ref}`);
    if (typeof found === 'string') {
      console.error(found);
      return FAILED;
    }
    version = found.version;
  }
  const { from, to } = await journeys.rollback(id, version, actorOf(config));
  console.log(`${id}: current version ${from} -> ${to} by ${actorOf(config)}; new customers enter ${to} within ${refresh(config)}; runs keep the version they started with`);
  return OK;
}
