import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import { audiencesDir, loadAudiences } from '../audiences/catalog';
import { currentMembers } from '../audiences/members';
import { AUDIENCE_EVENT, type Audience } from '../audiences/schema';
import { describeCondition } from '../journey/explain';
import { formatDuration } from '../journey/duration';
import { pipelineSettings } from '../pipeline/settings';
import { Store } from '../store/store';
import { connectClient } from '../temporal/connect';
import { AUDIENCE_WORKFLOW, audienceWorkflowId, type AudienceInput, type AudienceOutcome } from '../../workflows/pipeline/audience-contract';

const SAMPLE = 10;
const EXIT_USAGE = 2;

async function withStore<T>(work: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = new Store(config);
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}

/** The audience by name, or a usage error naming the known ones. */
function audienceNamed(config: Config, name: string, command: Command): Audience & { source: string } {
  const catalog = loadAudiences(config);
  const found = catalog.audiences.get(name);
  if (!found) command.error(`error: no audience "${name}"; known: ${[...catalog.audiences.keys()].join(', ') || 'none'} ('waymark audiences list')`, { exitCode: EXIT_USAGE });
  return found!;
}

async function recorded(store: Store, name: string): Promise<string[]> {
  const { rows } = await store.query<{ customer_id: string }>('SELECT customer_id FROM audience_members WHERE audience = $1 ORDER BY customer_id', [name]);
  return rows.map((r) => r.customer_id);
}

/** `waymark audiences`: named conditions over profiles that journeys enter customers by (docs/audiences.md). */
export function registerAudiencesCommand(program: Command): void {
  const audiences = program
    .command('audiences')
    .description('audiences: named conditions over profiles (attributes, warehouse attributes, scores); customers who come to match get audience_entered')
    .addHelpText('after', `\nExamples:\n  waymark audiences list\n  waymark audiences show paying-at-risk\n  waymark audiences preview paying-at-risk\n  waymark audiences refresh paying-at-risk`);

  audiences
    .command('list')
    .description('each audience with its rule and its size now (every profile is evaluated), and files left out with why')
    .addHelpText('after', '\nExits 1 when an audience file was left out (it names the field and the fix).\n\nExample:\n  waymark audiences list')
    .action(() =>
      withStore(async (store, config) => {
        const catalog = loadAudiences(config);
        for (const a of catalog.audiences.values()) {
          const size = (await currentMembers(store, a, config.audiences.pageRows)).length;
          console.log(`${a.name}  ${size} member(s)${a.schedule ? `  enrolled every ${a.schedule.every}` : ''}\n  when ${describeCondition(a.when)}`);
        }
        for (const p of catalog.problems) console.error(`${p.source} was not loaded: ${p.message}`);
        if (catalog.audiences.size === 0) console.log(`No audiences: add a YAML or JSON file to ${audiencesDir(config) || '<WAYMARK_JOURNEYS_DIR>/audiences'} (docs/audiences.md).`);
        if (catalog.problems.length) process.exitCode = 1;
      }),
    );

  audiences
    .command('show')
    .description('one audience: its rule, where it is defined, its members as the last evaluation recorded them, and its schedules')
    .argument('<name>', 'the audience')
    .addHelpText('after', '\nExample:\n  waymark audiences show paying-at-risk')
    .action((name: string, _options: unknown, command: Command) =>
      withStore(async (store, config) => {
        const a = audienceNamed(config, name, command);
        const members = await recorded(store, name);
        console.log(`${a.name}${a.description ? `: ${a.description}` : ''}`);
        console.log(`  defined in   ${a.source}`);
        console.log(`  when         ${describeCondition(a.when)}`);
        console.log(`  members      ${members.length} at the last evaluation${members.length ? `: ${members.slice(0, SAMPLE).join(', ')}${members.length > SAMPLE ? ', ...' : ''}` : ''}`);
        console.log(`  evaluated    every ${formatDuration(config.audiences.refreshEveryMs)} (schedule ${config.audiences.schedulePrefix}-${a.name}); newcomers get ${AUDIENCE_EVENT} with audience "${a.name}"`);
        if (a.schedule) console.log(`  enrolled     every ${a.schedule.every}: every member gets ${AUDIENCE_EVENT} (schedule ${config.audiences.schedulePrefix}-${a.name}-enrol)`);
      }),
    );

  audiences
    .command('preview')
    .description('evaluate an audience now without changing anything: its size, and who would enter and leave at the next evaluation')
    .argument('<name>', 'the audience')
    .addHelpText('after', '\nExample:\n  waymark audiences preview paying-at-risk')
    .action((name: string, _options: unknown, command: Command) =>
      withStore(async (store, config) => {
        const a = audienceNamed(config, name, command);
        const now = await currentMembers(store, a, config.audiences.pageRows);
        const before = new Set(await recorded(store, name));
        const entering = now.filter((id) => !before.has(id));
        const leaving = [...before].filter((id) => !now.includes(id));
        const sample = (ids: string[]) => (ids.length ? `: ${ids.slice(0, SAMPLE).join(', ')}${ids.length > SAMPLE ? ', ...' : ''}` : '');
        console.log(`${a.name}: ${now.length} member(s) now (when ${describeCondition(a.when)})`);
        console.log(`  would enter  ${entering.length}${sample(entering)}`);
        console.log(`  would leave  ${leaving.length}${sample(leaving)}`);
      }),
    );

  audiences
    .command('refresh')
    .description('evaluate an audience now on Temporal (the run its schedule starts) and wait: newcomers, or with --everyone every member, get audience_entered')
    .argument('<name>', 'the audience')
    .option('--everyone', 'enrol every member, not only those who came to match (what the audience\'s own schedule does)')
    .addHelpText('after', '\nNeeds the pipeline worker (npm run dev runs one).\n\nExamples:\n  waymark audiences refresh paying-at-risk\n  waymark audiences refresh likely-buyers --everyone')
    .action(async (name: string, options: { everyone?: boolean }, command: Command) => {
      const config = loadConfig();
      audienceNamed(config, name, command);
      const client = await connectClient(config);
      try {
        const input: AudienceInput = { name, mode: options.everyone ? 'everyone' : 'changes', settings: pipelineSettings(config) };
        const workflowId = `${audienceWorkflowId(name)}-${new Date().toISOString()}`;
        console.log(`Evaluating ${name}: run ${workflowId} on task queue ${config.pipeline.taskQueue} (the pipeline worker runs it)...`);
        const handle = await client.workflow.start(AUDIENCE_WORKFLOW, { workflowId, taskQueue: config.pipeline.taskQueue, args: [input] });
        const r = (await handle.result()) as AudienceOutcome;
        console.log(`${r.members} of ${r.profiles} profiles match; ${r.entered} came to match, ${r.left} left; ${r.sent} ${AUDIENCE_EVENT} event(s) sent.`);
      } finally {
        await client.connection.close();
      }
    });
}
