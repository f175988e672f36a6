import * as ort from 'onnxruntime-node';
import type { ModelSpec } from './models';

/**
 * A model exported to ONNX by the trainer (workers/training/train.py), run by onnxruntime-node in
 * this process: input `features` (float32, one row per customer, missing values NaN); output
 * `probabilities` (a classifier: the positive class is column 1) or `variable` (a regression).
 */
export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly kind: ModelSpec['kind'],
    private readonly width: number,
  ) {}

  static async load(bytes: Uint8Array, kind: ModelSpec['kind'], width: number): Promise<OnnxModel> {
    // One thread per call: a score is one row, and the worker's other work needs the cores.
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const wanted = kind === 'classification' ? 'probabilities' : 'variable';
    if (!session.inputNames.includes('features') || !session.outputNames.includes(wanted)) {
      throw new Error(`the ONNX model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]: a ${kind} model needs input "features" and output "${wanted}"`);
    }
    return new OnnxModel(session, kind, width);
  }

  /** One prediction per row: a probability (classification) or a value (regression). */
  async predict(rows: ReadonlyArray<ReadonlyArray<number | null>>): Promise<number[]> {
    const data = new Float32Array(rows.length * this.width);
    rows.forEach((row, i) => {
      if (row.length !== this.width) throw new Error(`a row of ${row.length} features, where the model takes ${this.width}`);
      row.forEach((v, j) => (data[i * this.width + j] = v === null ? Number.NaN : v));
    });
    const out = await this.session.run({ features: new ort.Tensor('float32', data, [rows.length, this.width]) }, [this.kind === 'classification' ? 'probabilities' : 'variable']);
    if (this.kind === 'classification') {
      const p = out.probabilities!.data as Float32Array;
      return rows.map((_, i) => p[i * 2 + 1]!);
    }
    return Array.from(out.variable!.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The probes whose prediction here is further than `tolerance` from the trainer's: none means the runtime reproduces the model. */
export async function parityMisses(model: OnnxModel, probes: ReadonlyArray<{ features: Array<number | null>; expected: number }>, tolerance: number): Promise<string[]> {
  const got = await model.predict(probes.map((p) => p.features));
  return probes.flatMap((p, i) => (Math.abs(got[i]! - p.expected) > tolerance ? [`probe ${i + 1}: ${got[i]} here, ${p.expected} in the trainer`] : []));
}
