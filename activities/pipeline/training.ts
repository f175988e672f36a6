import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Config } from '../../src/config';
import { SCORE_NAMES, isScoreName, type ScoreName } from '../../src/scoring/models';
import { OnnxModel, parityMisses } from '../../src/scoring/onnx';
import { ModelDecisionError, type ModelRegistry } from '../../src/scoring/registry';
import { headlineFigure, type Drift, type TrainedModel, type TrainRequest } from '../../src/scoring/trained-model';
import { trainRequestFor } from '../../src/scoring/train-request';
import type { ProfileStore } from '../../src/profiles/port';
import type { WarehouseLease } from '../../src/warehouse/lease';
import type { Registered, ScoringOutcome } from '../../workflows/pipeline/retraining-contract';
import { withHeartbeat } from './heartbeat';
import { FeatureStore } from '../../src/scoring/feature-store';
import { scoreCustomers } from './score-customers';
import type { SubmitEvent } from './send-events';

export interface TrainingDeps {
  config: Config;
  registry: ModelRegistry;
  /** The warehouse (features in, scores out), opened while an activity uses it. */
  warehouse: WarehouseLease;
  /** Where a promoted model's scores go, and how its high events reach the routers. */
  profiles: Pick<ProfileStore, 'mergeTraits'>;
  submit: SubmitEvent;
}

/** The retraining workflow's TypeScript activities (the training itself is the Python worker's). */
export function createTrainingActivities(deps: TrainingDeps) {
  const { config, registry } = deps;
  const t = config.training;
  return {
    /** What the Python trainer is asked for (src/scoring/train-request.ts). */
    async trainingRequest(model: ScoreName): Promise<TrainRequest> {
      if (!isScoreName(model)) throw ApplicationFailure.nonRetryable(`no model named "${model}" (${SCORE_NAMES.join(', ')})`, 'TrainingRefused');
      const champion = await registry.champion(model);
      // The champion's training rows are what this run's rows are compared with (drift).
      return { ...trainRequestFor(config, model), ...(champion ? { baseline: champion.featureStats, baselineVersion: champion.version } : {}) };
    },

    /**
     * Checks onnxruntime-node reproduces the trainer's predictions on its probe rows (a model it
     * would score differently is refused), then stores it as a challenger, once per run.
     */
    async registerChallenger(trained: TrainedModel): Promise<Registered> {
      const model = await OnnxModel.load(Buffer.from(trained.onnx, 'base64'), trained.kind, trained.features.length).catch((err: Error) => {
        throw ApplicationFailure.nonRetryable(`the ${trained.model} model's ONNX does not load: ${err.message}`, 'TrainingRefused');
      });
      try {
        const misses = await parityMisses(model, trained.probes, t.parityTolerance);
        if (misses.length) throw ApplicationFailure.nonRetryable(`onnxruntime-node does not reproduce the trainer on ${misses.length} of ${trained.probes.length} probes (WAYMARK_TRAINING_PARITY_TOLERANCE ${t.parityTolerance}): ${misses.slice(0, 3).join('; ')}`, 'TrainingRefused');
      } finally {
        await model.release();
      }
      const run = Context.current().info.workflowExecution;
      // The run, not only its id: every retraining of a model runs under the same id.
      const registered = await registry.register(trained, run ? `${run.workflowId}/${run.runId}` : 'outside a workflow');
      const champion = await registry.champion(trained.model);
      return {
        version: registered.version,
        figure: headlineFigure(trained.kind, trained.metrics),
        ...(champion && champion.version !== registered.version ? { champion: { version: champion.version, figure: headlineFigure(champion.kind, champion.metrics) } } : {}),
        ...baselineOf(trained),
        probesChecked: trained.probes.length,
        trainingWindow: trained.trainingWindow,
        rows: trained.rows,
        ...(trained.drift ? { drift: driftOf(trained.drift) } : {}),
      };
    },

    /** Promotes (the champion before it retires) or rejects the challenger, with who and why. */
    async decideModel(model: ScoreName, version: number, outcome: 'champion' | 'rejected', by: string, why: string): Promise<void> {
      try {
        await registry.decide(model, version, outcome, by, why);
      } catch (err) {
        if (err instanceof ModelDecisionError) throw ApplicationFailure.nonRetryable(err.message, 'TrainingRefused');
        throw err;
      }
    },

    /** The model's champion version, if one was promoted (the scoring workflow scores with it). */
    async championVersion(model: ScoreName): Promise<number | undefined> {
      return registry.championVersion(model);
    },

    /** Scores every customer the promoted model is for: profiles, high events, the warehouse (activities/pipeline/score-customers.ts). */
    async scoreCustomers(model: ScoreName, version: number): Promise<ScoringOutcome> {
      let progress = { step: 'score', done: 0, total: 0 };
      return withHeartbeat(() => progress, () => scoreCustomers({ ...deps, features: new FeatureStore(registry.store) }, model, version, (p) => (progress = p)));
    },
  };
}

/** The trainer's baseline figure (workers/training/train.py), named as the model's headline figure is. */
function baselineOf(trained: Pick<TrainedModel, 'kind' | 'metrics'>): Pick<Registered, 'baseline'> {
  const b = trained.metrics.baseline as Record<string, unknown> | undefined;
  if (!b || typeof b.name !== 'string') return {};
  const figure = headlineFigure(trained.kind, b);
  return { baseline: { ...figure, what: b.name } };
}

/** The drift a run reports: each feature's PSI, and those at or above the threshold. */
function driftOf(d: Drift): NonNullable<Registered['drift']> {
  const psi = Object.fromEntries(Object.entries(d.features).map(([f, v]) => [f, v.psi]));
  return { against: d.against, threshold: d.threshold, psi, large: Object.entries(d.features).filter(([, v]) => v.large).map(([f]) => f) };
}

export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
