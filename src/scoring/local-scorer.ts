import type { FeatureName, Features, ScoreName } from './models';
import { OnnxModel } from './onnx';
import { ScoringError, type Score, type Scorer } from './port';
import type { ModelRegistry } from './registry';

interface Loaded {
  version: number;
  model: OnnxModel;
  /** The features in the order this version takes them. */
  features: FeatureName[];
  checkedAt: number;
}

/**
 * Scores with each model's champion from the registry, in this process (onnxruntime-node). A
 * model is loaded once, and the registry asked every `refreshMs` whether another was promoted.
 */
export class LocalModelScorer implements Scorer {
  readonly name = 'local model';
  private readonly loaded = new Map<ScoreName, Promise<Loaded | undefined>>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async score(model: ScoreName, features: Features): Promise<Score> {
    const current = await this.current(model);
    if (!current) throw new ScoringError(`no ${model} model has been promoted yet (waymark models train ${model})`);
    const [value] = await current.model.predict([current.features.map((f) => features[f])]);
    return { model, value: value!, source: 'model', version: `${model}@${current.version}` };
  }

  private current(model: ScoreName): Promise<Loaded | undefined> {
    const cached = this.loaded.get(model);
    const next = (cached ?? Promise.resolve(undefined)).then(
      async (held) => {
        if (held && this.now() - held.checkedAt < this.refreshMs) return held;
        const version = await this.registry.championVersion(model);
        if (held && held.version === version) return { ...held, checkedAt: this.now() };
        if (version === undefined) return undefined;
        const artifact = await this.registry.artifact(model, version);
        if (!artifact) return undefined;
        // The version before is not released: a score begun with it may still be running (it is small, and promotions are rare).
        return { version, features: artifact.features, model: await OnnxModel.load(artifact.onnx, artifact.kind, artifact.features.length), checkedAt: this.now() };
      },
    );
    // A failed look (the store down) is not kept: the next score looks again.
    this.loaded.set(model, next.catch(() => cached));
    return next;
  }

  async close(): Promise<void> {
    for (const loaded of this.loaded.values()) await (await loaded.catch(() => undefined))?.model.release();
    this.loaded.clear();
  }
}
