import { allHandlersFinished, condition, patched, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { TrainingActivities } from '../../activities/pipeline/training';
import { formatDuration } from '../../src/journey/duration';
import type { TrainedModel, TrainRequest } from '../../src/scoring/trained-model';
import { decideUpdate, retrainingProgressQuery, type Decision, type Registered, type RetrainingInput, type RetrainingProgress, type RetrainingResult } from './retraining-contract';
import { reverseEtlLine, syncScores } from './reverse-etl';
import { stageOptions } from './run-context';
import { scoringOf } from './scoring-details';

/** The Python trainer's activity (workers/training/activities.py), on its own task queue. */
interface PythonTraining {
  trainModel(request: TrainRequest): Promise<TrainedModel>;
}

/**
 * One model retrained: the Python worker trains a challenger on the warehouse's ml_training rows
 * (time-based split) and exports it to ONNX; the registry checks onnxruntime-node reproduces it and
 * stores it; it is compared with the champion; a winner waits for a person's decision (the
 * `decide` Update, `waymark models approve|reject`; none within the configured time is a
 * rejection) unless approval is automatic; then it is promoted or rejected, with who and why. A
 * promoted model scores every customer, then the reverse ETL sends the scores on (Hightouch's
 * syncs, or the local sync into profiles and Braze); a sync that fails is recorded on the run and
 * leaves the promotion as it is. The run's details in the Temporal UI show the figures, the
 * decision and what each sync did.
 */
export async function retrainingWorkflow({ model, settings }: RetrainingInput): Promise<RetrainingResult> {
  const act = proxyActivities<TrainingActivities>(stageOptions(settings, ['TrainingRefused']));
  const python = proxyActivities<PythonTraining>({ ...stageOptions(settings, ['TrainingRefused']), taskQueue: settings.trainingTaskQueue });
  const progress: RetrainingProgress = { step: 'train' };
  setHandler(retrainingProgressQuery, () => progress);

  setCurrentDetails(`**training** the ${model} model (task queue ${settings.trainingTaskQueue})`);
  const trained = await python.trainModel(await act.trainingRequest(model));
  progress.step = 'register';
  setCurrentDetails(`**registering** the ${model} challenger`);
  const registered = await act.registerChallenger(trained);
  progress.registered = registered;
  const { version, figure, champion, drift } = registered;

  // The decision's outcome once it is recorded (with a promoted model's scores written): what the
  // `decide` Update's caller gets. The reverse ETL goes on after it, into the run's result.
  const settled: { result?: RetrainingResult } = {};
  const settle = async (approve: boolean, decidedBy: string, why: string): Promise<RetrainingResult> => {
    await act.decideModel(model, version, approve ? 'champion' : 'rejected', decidedBy, why);
    const decided = `${figuresOf(model, registered)}\n\n**${approve ? 'promoted' : 'rejected'}** by ${decidedBy}: ${why}`;
    if (!approve) {
      progress.step = 'decided';
      setCurrentDetails(decided);
      return (settled.result = { outcome: 'rejected', model, version, figure, ...(champion ? { champion } : {}), decidedBy, why, ...(drift ? { drift } : {}) });
    }
    progress.step = 'score customers';
    setCurrentDetails(`${decided}\n\n**scoring customers** with ${model}@${version}`);
    const scoring = await act.scoreCustomers(model, version);
    const promoted = { outcome: 'promoted' as const, model, version, figure, ...(champion ? { champion } : {}), decidedBy, why, ...(drift ? { drift } : {}), scoring };
    settled.result = promoted;
    const scored = `${decided}\n\n${scoringOf(scoring)}`;
    // Runs that scored before reverse ETL existed end here, as they did.
    if (!patched('reverse-etl')) {
      progress.step = 'decided';
      setCurrentDetails(scored);
      return promoted;
    }
    progress.step = 'reverse etl';
    const reverseEtl = await syncScores(model, settings, (line) => setCurrentDetails(`${scored}\n\n${line}`));
    progress.step = 'decided';
    setCurrentDetails(`${scored}\n\n${reverseEtlLine(reverseEtl)}`);
    return { ...promoted, reverseEtl };
  };

  const verdict = judge(registered, settings.promoteMargin);
  if (!verdict.wins) return settle(false, 'retraining', verdict.why);
  if (settings.approval === 'automatic') return settle(true, 'retraining (automatic approval)', verdict.why);

  progress.step = 'awaiting approval';
  setCurrentDetails(`${figuresOf(model, registered)}\n\n**awaiting approval**: ${verdict.why}. \`waymark models approve ${model} ${version} --as NAME\` or \`reject\`; rejected if nobody decides within ${formatDuration(settings.approvalTimeoutMs)}.`);
  let decision: Decision | undefined;
  setHandler(
    decideUpdate,
    async (asked) => {
      decision = asked;
      await condition(() => settled.result !== undefined);
      return settled.result!;
    },
    {
      validator: (asked) => {
        if (decision || progress.step !== 'awaiting approval') throw new Error(`${model}@${version} is not awaiting a decision any more`);
        if (asked.version !== version) throw new Error(`the challenger awaiting a decision is ${model}@${version}, not version ${asked.version}`);
        if (typeof asked.approve !== 'boolean') throw new Error('approve must be true or false');
        if (typeof asked.approver !== 'string' || !asked.approver.trim()) throw new Error('approver must name the person deciding');
      },
    },
  );
  const answered = await condition(() => decision !== undefined, settings.approvalTimeoutMs);
  const result = answered
    ? await settle(decision!.approve, decision!.approver.trim(), decision!.note?.trim() || (decision!.approve ? verdict.why : 'rejected by a person'))
    : await settle(false, 'nobody', `no decision within ${formatDuration(settings.approvalTimeoutMs)}`);
  await condition(allHandlersFinished);
  return result;
}

/** Whether the challenger beats the champion by the margin on its headline figure (any challenger wins where there is no champion). */
function judge({ figure, champion }: Registered, margin: number): { wins: boolean; why: string } {
  const mine = `${figure.name} ${figure.value.toFixed(4)}`;
  if (!champion) return { wins: true, why: `first model (${mine})` };
  const theirs = `${champion.figure.name} ${champion.figure.value.toFixed(4)} of version ${champion.version}`;
  if (!Number.isFinite(figure.value)) return { wins: false, why: `its ${figure.name} could not be measured` };
  return figure.value >= champion.figure.value + margin
    ? { wins: true, why: `${mine} beats ${theirs} by at least ${margin}` }
    : { wins: false, why: `${mine} does not beat ${theirs} by ${margin}` };
}

function figuresOf(model: string, r: Registered): string {
  const vs = r.champion ? ` (champion ${model}@${r.champion.version}: ${r.champion.figure.value.toFixed(4)})` : ' (no champion yet)';
  const baseline = r.baseline ? ` · baseline ${r.baseline.value.toFixed(4)} (${r.baseline.what})` : '';
  return `**${model}@${r.version}**: held-out ${r.figure.name} ${r.figure.value.toFixed(4)}${vs}${baseline} · trained on ${r.rows.training} rows from ${r.trainingWindow.from} to ${r.trainingWindow.to}, judged on ${r.rows.heldOut} · ${r.probesChecked} probes reproduced by onnxruntime-node${driftLine(model, r.drift)}`;
}

/** Drift in the run's details: flagged features first, with their PSI. */
function driftLine(model: string, d: Registered['drift']): string {
  if (!d) return ' · drift: not measured (no champion)';
  const all = Object.entries(d.psi).map(([f, psi]) => `${f} ${psi.toFixed(2)}`).join(', ');
  return d.large.length ? `\n\n**large drift** against ${model}@${d.against} (PSI ≥ ${d.threshold}): ${d.large.map((f) => `${f} ${d.psi[f]!.toFixed(2)}`).join(', ')} · all: ${all}` : ` · drift against ${model}@${d.against}: ${all}`;
}

