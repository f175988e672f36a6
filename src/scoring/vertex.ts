import { helpers, v1, type protos } from '@google-cloud/aiplatform';
import { credentials, status } from '@grpc/grpc-js';
import type { Config } from '../config';
import { FEATURES, MODELS, type Features, type ScoreName } from './models';
import { ScoringError, type Score, type Scorer } from './port';
import type { CircuitBreaker } from '../resilience/circuit-breaker';

type Value = protos.google.protobuf.IValue;
type VertexSettings = Config['scoring']['vertex'];

/**
 * Scores with models deployed to Vertex AI endpoints, one per model (WAYMARK_VERTEX_ENDPOINTS),
 * through the PredictionService's Predict. One instance per call: the features in FEATURES order,
 * null where unknown (docs/scores.md, "Serving from Vertex AI"). Each call has `deadlineMs` and is
 * not retried: when it fails or runs late, the rule stand-in answers (WithStandIn).
 */
export class VertexScorer implements Scorer {
  readonly name = 'Vertex AI';
  private readonly client: v1.PredictionServiceClient;

  constructor(
    private readonly settings: VertexSettings,
    private readonly deadlineMs: number,
    /** The worker's breaker for Vertex AI (WAYMARK_CIRCUIT_*): while it is open, no call, and the rules answer at once. */
    private readonly breaker?: CircuitBreaker,
  ) {
    const [, host, port] = /^(.+?)(?::(\d+))?$/.exec(settings.apiEndpoint)!;
    this.client = new v1.PredictionServiceClient({
      apiEndpoint: host,
      port: port ? Number(port) : 443,
      // Plaintext to a loopback test server: no Google credentials, which the client would otherwise look for before the first call.
      ...(settings.insecure ? { sslCreds: credentials.createInsecure(), universeDomain: 'googleapis.com' } : {}),
    });
  }

  async score(model: ScoreName, features: Features): Promise<Score> {
    const id = this.settings.endpoints[model];
    if (!id) throw new ScoringError(`no endpoint for the ${model} model: add "${model}=<endpoint id>" to WAYMARK_VERTEX_ENDPOINTS`);
    const endpoint = this.client.projectLocationEndpointPath(this.settings.project, this.settings.location, id);
    const instance = helpers.toValue(FEATURES.map((f) => features[f])) as Value;
    const gate = this.breaker?.gate();
    if (gate?.open) throw new ScoringError(`the Vertex AI circuit is open after repeated failures (no call for ${Math.ceil(gate.retryInMs / 1000)}s more)`);
    let response: protos.google.cloud.aiplatform.v1.IPredictResponse;
    try {
      [response] = await this.client.predict({ endpoint, instances: [instance] }, { timeout: this.deadlineMs, retry: null });
      this.breaker?.success();
    } catch (err) {
      const { code, details, message } = err as { code?: number; details?: string; message?: string };
      // An outage (unreachable, late, overloaded, failing) counts toward opening the circuit; a refusal on the merits does not.
      if (code === undefined || OUTAGE.has(code)) this.breaker?.failure();
      else this.breaker?.success();
      const answered = code === undefined ? `could not be called: ${message}` : `answered ${status[code] ?? code}: ${details ?? message}`;
      throw new ScoringError(`the ${model} endpoint ${id} ${answered}`, { cause: err });
    }
    const predictions = (response.predictions ?? []).map(plain);
    const value = predictions.length === 1 ? scoreIn(model, predictions[0]) : undefined;
    if (value === undefined) throw new ScoringError(`the ${model} endpoint ${id} answered ${JSON.stringify(predictions)}, not one ${EXPECTED[MODELS[model].kind]}`);
    const served = response.deployedModelId || response.modelVersionId;
    return { model, value, source: 'vertex', version: `vertex:${id}${served ? `@${served}` : ''}` };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

const OUTAGE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.INTERNAL, status.UNKNOWN]);

const EXPECTED = {
  classification: 'probability: a number from 0 to 1, [p], [p(0), p(1)] or {"classes": [...], "scores": [...]} with a class "1" or "true"',
  regression: 'amount: a number, [value] or {"value": ...}',
};

/**
 * The score in one prediction, in the shapes Vertex AI's containers answer with: a number (a
 * custom container, XGBoost), [p] (a one-output TensorFlow model), for a classifier the class
 * probabilities [p(0), p(1)] or AutoML's {classes, scores}, for a regression AutoML's {value}.
 */
function scoreIn(model: ScoreName, prediction: unknown): number | undefined {
  const classifier = MODELS[model].kind === 'classification';
  let value: unknown = prediction;
  if (Array.isArray(prediction) && prediction.length === 1) value = prediction[0];
  else if (Array.isArray(prediction) && prediction.length === 2 && classifier) value = prediction[1];
  else if (isRecord(prediction) && Array.isArray(prediction.classes) && Array.isArray(prediction.scores) && classifier) {
    value = prediction.scores[prediction.classes.findIndex((c) => ['1', 'true'].includes(String(c).toLowerCase()))];
  } else if (isRecord(prediction) && !classifier) value = prediction.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || (classifier && (value < 0 || value > 1))) return undefined;
  return value;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A protobuf Value as the JSON it stands for (helpers.fromValue takes only a struct). */
function plain(v: Value): unknown {
  if (v.numberValue !== undefined && v.numberValue !== null) return v.numberValue;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.listValue) return (v.listValue.values ?? []).map(plain);
  if (v.structValue) return Object.fromEntries(Object.entries(v.structValue.fields ?? {}).map(([k, f]) => [k, plain(f)]));
  return null;
}
