import type { Config } from '../config';
import { warehouseTarget } from '../warehouse/build-target';
import { FEATURES, MODELS, type ScoreName } from './models';
import type { TrainRequest } from './trained-model';

/** What the Python trainer is asked for: the model's population, label and features, where its rows are (config's warehouse), and config's training settings. */
export function trainRequestFor(config: Config, model: ScoreName): TrainRequest {
  const spec = MODELS[model];
  const t = config.training;
  const target = warehouseTarget(config);
  return {
    model,
    kind: spec.kind,
    population: spec.population,
    label: spec.label,
    features: FEATURES,
    target,
    table: `${target.datasetPrefix}marts.ml_training`,
    testDays: t.testDays,
    threshold: t.threshold,
    minRows: t.minRows,
    params: { trees: t.trees, leaves: t.leaves, learningRate: t.learningRate, minChildSamples: t.minChildSamples },
    seed: t.seed,
    probes: t.probes,
    maxModelBytes: t.maxModelBytes,
    driftThreshold: t.driftThreshold,
  };
}
