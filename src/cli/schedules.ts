import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type Config } from '../config';
import { applySchedules, listSchedules } from '../pipeline/schedules';
import { connectClient } from '../temporal/connect';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { progressLine, runProgress } from '../pipeline/progress';

async function withClient<T>(work: (client: Client, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config);
  try {
    return await work(client, config);
  } finally {
    await client.connection.close();
  }
}

/** A change to one schedule; a schedule that does not exist yet (before `apply`) is said so, with what creates it. */
async function onSchedule(scheduleId: string, change: () => Promise<void>): Promise<boolean> {
  try {
    await change();
    return true;
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    console.error(`waymark: there is no schedule "${scheduleId}" yet: 'waymark schedules apply' creates the schedules from config ('waymark schedules list' shows which exist)`);
    process.exitCode = 1;
    return false;
  }
}

/** A running batch's step, and how far the stage under way is. */
async function progressOf(client: Client, workflowId: string): Promise<string> {
  try {
    return progressLine(await runProgress(client, workflowId));
  } catch (err) {
    return `progress unknown (${(err as Error).message})`;
  }
}

function instant(text: string): Date {
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('must be a date (2026-03-01) or an ISO 8601 date-time');
  return at;
}

/** `waymark schedules`: the pipeline's Temporal Schedules, from config. */
export function registerSchedulesCommand(program: Command): void {
  const schedules = program
    .command('schedules')
    .description("the pipelines' Temporal Schedules: create or update them from config, see their runs, pause, trigger, backfill")
    .addHelpText('after', '\nExamples:\n  waymark schedules apply\n  waymark schedules list\n  waymark schedules backfill --from 2026-03-01 --to 2026-03-07');
  schedules
    .command('apply')
    .description('create or update the schedules from config (ingestion: WAYMARK_PIPELINE_SCHEDULE_*; each model\'s retraining: WAYMARK_TRAINING_SCHEDULE_*); running it again changes nothing')
    .addHelpText('after', '\nExamples:\n  waymark schedules apply\n  WAYMARK_PIPELINE_SCHEDULE_EVERY=6h waymark schedules apply')
    .action(() =>
      withClient(async (client, config) => {
        for (const { scheduleId, change, every, taskQueue, paused } of await applySchedules(client, config)) {
          console.log(`${change} ${scheduleId}: every ${every} on task queue ${taskQueue}${paused ? ' (paused)' : ''}`);
        }
      }),
    );
  schedules
    .command('list')
    .description('each schedule with its next runs and the outcome of its last runs')
    .addHelpText('after', '\nExample:\n  waymark schedules list')
    .action(() =>
      withClient(async (client, config) => {
        for (const s of await listSchedules(client, config)) {
          if (!s.exists) {
            console.log(`${s.scheduleId}: not created yet; 'waymark schedules apply' creates it from config`);
            continue;
          }
          console.log(`${s.scheduleId}  every ${s.every}  overlap ${s.overlap}${s.paused ? '  PAUSED' : ''}`);
          console.log(`  next: ${s.next.join(', ') || '-'}`);
          for (const r of s.recent) console.log(`  ran:  ${r.scheduledAt}  ${r.status.padEnd(10)} ${r.workflowId}${r.outcome ? `\n        ${r.outcome}` : ''}`);
          for (const id of s.running) console.log(`  running now: ${id}: ${await progressOf(client, id)}`);
        }
      }),
    );
  const one = (name: string, description: string, act: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<void>) =>
    schedules
      .command(name)
      .description(description)
      .option('--schedule <id>', 'which schedule (default: WAYMARK_PIPELINE_SCHEDULE_ID)')
      .addHelpText('after', `\nExamples:\n  waymark schedules ${name}\n  waymark schedules ${name} --schedule waymark-ingestion`)
      .action((flags: { schedule?: string }) =>
        withClient(async (client, config) => {
          const id = flags.schedule ?? config.pipeline.scheduleId;
          if (await onSchedule(id, () => act(client.schedule.getHandle(id)))) console.log(`${name}: done`);
        }),
      );
  one('pause', 'stop starting runs until resumed', (h) => h.pause('paused with waymark schedules pause'));
  one('resume', 'start runs again', (h) => h.unpause('resumed with waymark schedules resume'));
  one('trigger', 'start a run now (skipped if one is running)', (h) => h.trigger());
  schedules
    .command('backfill')
    .description('take the actions the schedule would have taken between two instants (one run per interval)')
    .option('--from <date>', 'required: start, e.g. 2026-03-01', instant)
    .option('--to <date>', 'required: end, e.g. 2026-03-07', instant)
    .option('--schedule <id>', 'which schedule (default: WAYMARK_PIPELINE_SCHEDULE_ID)')
    .addHelpText('after', '\nExample:\n  waymark schedules backfill --from 2026-03-01 --to 2026-03-07')
    // Checked here rather than as required options: commander would report them before an unknown option.
    .action(function (this: Command, flags: { from?: Date; to?: Date; schedule?: string }) {
      const { from, to } = flags;
      if (!from || !to) this.error(`error: required option '${from ? '--to' : '--from'} <date>' not specified`, { exitCode: 2, code: 'commander.error' });
      return withClient(async (client, config) => {
        if (to <= from) throw new InvalidArgumentError('--to must be after --from');
        const id = flags.schedule ?? config.pipeline.scheduleId;
        if (await onSchedule(id, () => client.schedule.getHandle(id).backfill({ start: from, end: to }))) console.log(`backfill requested from ${from.toISOString()} to ${to.toISOString()}`);
      });
    });
}
