import { InvalidArgumentError, type Command } from 'commander';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { MODELS, SCORE_NAMES, isScoreName, type ScoreName } from '../scoring/models';
import { ModelRegistry, type ModelVersion } from '../scoring/registry';
import { runAwaitingDecision, startRetraining } from '../scoring/retraining';
import { headlineFigure } from '../scoring/trained-model';
import { Store } from '../store/store';
import { connectClient } from '../temporal/connect';
import { decideUpdate, retrainingProgressQuery, retrainingWorkflowId, type RetrainingResult } from '../../workflows/pipeline/retraining-contract';
import { withActor } from './actor';

const modelName = (text: string): ScoreName => {
  if (!isScoreName(text)) throw new InvalidArgumentError(`must be one of ${SCORE_NAMES.join(', ')}`);
  return text;
};
const versionNumber = (text: string): number => {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new InvalidArgumentError('must be a version number (1, 2, ...)');
  return Number(text);
};

async function withRegistry<T>(work: (registry: ModelRegistry) => Promise<T>): Promise<T> {
  const store = new Store(loadConfig());
  try {
    return await work(new ModelRegistry(store));
  } finally {
    await store.close();
  }
}

async function withClient<T>(config: Config, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(config);
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

const figure = (v: ModelVersion) => {
  const f = headlineFigure(v.kind, v.metrics);
  return `${f.name} ${Number.isFinite(f.value) ? f.value.toFixed(4) : '-'}`;
};

function line(v: ModelVersion): string {
  const decided = v.decidedBy ? `  ${v.status} by ${v.decidedBy}${v.decision ? `: ${v.decision}` : ''}` : `  ${v.status}`;
  return `${`${v.model}@${v.version}`.padEnd(10)} ${figure(v).padEnd(12)} trained ${v.createdAt.slice(0, 16).replace('T', ' ')} on ${v.training.rows.training} rows (${v.training.trainingWindow.from} to ${v.training.trainingWindow.to})${decided}`;
}

function details(v: ModelVersion): string[] {
  const m = v.metrics as Record<string, unknown>;
  const num = (x: unknown) => (typeof x === 'number' ? x.toFixed(4) : '-');
  const out = [
    line(v),
    `  means      ${MODELS[v.model].means}`,
    `  trained    ${v.training.library}; ${Object.entries(v.training.params).map(([k, x]) => `${k} ${x}`).join(', ')}`,
    `  rows       ${v.training.rows.training} to train (${v.training.trainingWindow.from} to ${v.training.trainingWindow.to}), ${v.training.rows.heldOut} held out (${v.training.testWindow.from} to ${v.training.testWindow.to}); data sha256 ${v.training.dataHash.slice(0, 16)}`,
    `  features   ${v.features.join(', ')}`,
    `  drift      ${v.training.drift ? `against ${v.model}@${v.training.drift.against} (PSI, flagged from ${v.training.drift.threshold}): ${Object.entries(v.training.drift.features).map(([f, d]) => `${f} ${d.psi.toFixed(2)}${d.large ? ' LARGE' : ''}`).join(', ')}` : 'not measured (no champion when it was trained)'}`,
  ];
  if (v.kind === 'classification') {
    out.push(`  held out   AUC ${num(m.auc)}, at threshold ${m.threshold}: precision ${num(m.precision)}, recall ${num(m.recall)}; Brier ${num(m.brier)}; positive rate ${num(m.positiveRate)}`);
    out.push('  calibration (predicted -> observed, rows):');
    for (const b of (m.calibration as Array<{ from: number; to: number; rows: number; predicted: number; observed: number }>) ?? []) out.push(`    ${b.from.toFixed(1)}-${b.to.toFixed(1)}  ${b.predicted.toFixed(3)} -> ${b.observed.toFixed(3)}  (${b.rows})`);
  } else {
    out.push(`  held out   R² ${num(m.r2)}, MAE ${num(m.mae)}, RMSE ${num(m.rmse)}; mean actual ${num(m.meanActual)}, predicted ${num(m.meanPredicted)}`);
  }
  const baseline = m.baseline as Record<string, unknown> | undefined;
  if (baseline) out.push(`  baseline   ${headlineFigure(v.kind, baseline).name} ${num(headlineFigure(v.kind, baseline).value)} with ${String(baseline.name)}, on the same rows`);
  out.push('  by segment (plan):');
  for (const s of v.segments) out.push(`    ${String(s.segment).padEnd(12)} ${String(s.rows).padStart(6)} rows  ${Object.entries(s).filter(([k]) => k !== 'segment' && k !== 'rows').map(([k, x]) => `${k} ${num(x)}`).join(', ')}`);
  return out;
}

/** `waymark models`: the scoring models' registry, retraining runs and their approval. */
export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('the churn, lead and value models: versions and figures, retrain, approve or reject a challenger')
    .addHelpText('after', `\nModels: ${SCORE_NAMES.map((n) => `${n} (${MODELS[n].means})`).join('; ')}.\n\nExamples:\n  waymark models list\n  waymark models train churn\n  waymark models approve churn 3 --actor ana@acme.test\n  waymark models show churn`);

  models
    .command('list')
    .description('every version of every model (or of one), newest first, with its held-out figure and status')
    .argument('[model]', SCORE_NAMES.join(', '), modelName)
    .addHelpText('after', '\nExamples:\n  waymark models list\n  waymark models list churn')
    .action((model?: ScoreName) =>
      withRegistry(async (registry) => {
        const versions = await registry.list(model);
        if (!versions.length) console.log(`No ${model ? `${model} ` : ''}model trained yet: 'waymark models train ${model ?? 'churn'}' trains one (after a batch is published).`);
        for (const v of versions) console.log(line(v));
      }),
    );

  models
    .command('show')
    .description("a version's figures: held-out AUC, precision and recall, calibration, per segment; its training window and data")
    .argument('<model>', SCORE_NAMES.join(', '), modelName)
    .argument('[version]', 'default: the champion, else the newest', versionNumber)
    .addHelpText('after', '\nExits 1 when there is no such version.\n\nExamples:\n  waymark models show churn\n  waymark models show churn 2')
    .action((model: ScoreName, version?: number) =>
      withRegistry(async (registry) => {
        const found = version ? await registry.get(model, version) : ((await registry.champion(model)) ?? (await registry.list(model))[0]);
        if (!found) {
          console.error(`waymark: no ${model} model${version ? ` version ${version}` : ''} in the registry ('waymark models list ${model}' lists them)`);
          process.exitCode = 1;
          return;
        }
        for (const l of details(found)) console.log(l);
      }),
    );

  models
    .command('train')
    .description('retrain a model now (the retraining workflow on the pipelines task queue) and wait until it is decided or awaits approval')
    .argument('<model>', SCORE_NAMES.join(', '), modelName)
    .addHelpText('after', "\nNeeds the pipeline worker and the Python worker (npm run dev runs both), and a published batch.\nA model's retraining runs one at a time: a run already under way is followed, not doubled.\n\nExample:\n  waymark models train churn")
    .action(async (model: ScoreName) => {
      const config = loadConfig();
      await withClient(config, async (client) => {
        const handle = await startRetraining(client, config, model);
        console.log(`Retraining ${model}: run ${handle.workflowId} (the Temporal UI shows its figures as it goes).`);
        const polling = new AbortController();
        const outcome = await Promise.race([handle.result().then((r) => ({ r })), awaitingApproval(client, model, polling.signal)]).finally(() => polling.abort());
        if ('r' in outcome) return report(outcome.r);
        console.log(outcome.text);
      });
    });

  for (const [name, approve] of [['approve', true], ['reject', false]] as const) {
    models
      .command(name)
      .description(`${name} the challenger awaiting a decision (the retraining run's Update; recorded with your name)`)
      .argument('<model>', SCORE_NAMES.join(', '), modelName)
      .argument('<version>', 'the challenger version (waymark models train prints it)', versionNumber)
      .option('--actor <name>', 'who decides (default: WAYMARK_ACTOR, else user@host)')
      .option('--note <text>', 'why, kept with the decision')
      .addHelpText('after', `\nExits 1 when that version is not awaiting a decision.\n\nExample:\n  waymark models ${name} churn 3 --actor ana@acme.test --note "${approve ? 'figures checked' : 'recall too low on enterprise'}"`)
      .action(async (model: ScoreName, version: number, options: { actor?: string; note?: string }) => {
        const config = withActor(options.actor);
        if (!config) return void (process.exitCode = 2);
        await withClient(config, async (client) => {
          const refuse = (why: string) => {
            console.error(`waymark: ${model}@${version} is not awaiting a decision: ${why} ('waymark models list ${model}' shows its status)`);
            process.exitCode = 1;
          };
          const run = await runAwaitingDecision(client, model, version);
          if (!run) return refuse('no open retraining run is waiting for it');
          try {
            report(await run.executeUpdate(decideUpdate, { args: [{ version, approve, approver: config.actor, ...(options.note ? { note: options.note } : {}) }] }));
          } catch (err) {
            if (!(err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)) throw err;
            refuse(err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : 'its run has ended');
          }
        });
      });
  }
}

/** Resolves once the model's run awaits a person, with what to do. */
async function awaitingApproval(client: Client, model: ScoreName, stop: AbortSignal): Promise<{ text: string }> {
  const handle = client.workflow.getHandle(retrainingWorkflowId(model));
  while (!stop.aborted) {
    const progress = await handle.query(retrainingProgressQuery).catch(() => undefined);
    const r = progress?.registered;
    if (progress?.step === 'awaiting approval' && r) {
      const vs = r.champion ? `champion ${model}@${r.champion.version}: ${r.champion.figure.value.toFixed(4)}` : 'no champion yet';
      return {
        text: [
          `${model}@${r.version} awaits a decision: held-out ${r.figure.name} ${r.figure.value.toFixed(4)} (${vs}); trained on ${r.rows.training} rows, judged on ${r.rows.heldOut}.`,
          `  waymark models show ${model} ${r.version}                     its figures`,
          `  waymark models approve ${model} ${r.version} --actor NAME      promote it`,
          `  waymark models reject ${model} ${r.version} --actor NAME       keep the champion`,
        ].join('\n'),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return new Promise(() => undefined); // the run's result came first
}

function report(r: RetrainingResult): void {
  console.log(`${r.model}@${r.version} ${r.outcome} by ${r.decidedBy}: ${r.why}`);
  if (r.outcome !== 'promoted' || !r.scoring) return;
  const s = r.scoring;
  console.log(`  scored ${s.scored} customers; ${s.written} profiles updated (trait ${MODELS[r.model].scores.trait})${s.refused ? `, ${s.refused} refused: ${s.examples.join('; ')}` : ''}`);
  if (s.event) console.log(`  ${s.crossed} rose to ${s.threshold} and got ${s.event}`);
}
