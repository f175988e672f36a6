import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { FEATURES, type ScoreName } from '../../src/scoring/models';
import { track } from './cleanup';

/** The model behind the endpoints: one prediction (a JSON value) per row of features, in FEATURES order. */
export type HostedPredict = (model: ScoreName, rows: Array<Array<number | null>>) => Promise<unknown[]>;

/** How the server answers one Predict call; calls with nothing scripted get the hosted model's predictions. */
export type VertexAnswer =
  | { kind: 'fail'; code: grpc.status; message: string }
  /** The model's predictions after `delayMs` (never, when the client's deadline passes first). */
  | { kind: 'slow'; delayMs: number }
  /** These predictions instead of the model's: the shapes other containers answer with. */
  | { kind: 'predictions'; predictions: unknown[] };

export interface PredictCall {
  endpoint: string;
  /** The instances as the JSON they encode (a Value without a kind is refused, not recorded). */
  instances: unknown[];
  /** Milliseconds left until the client's deadline when the call arrived; Infinity without one. */
  deadlineMs: number;
}

/** The client package's own descriptor of its protos (its .proto files import Google's common protos from elsewhere). */
const PROTOS = path.join(path.dirname(require.resolve('@google-cloud/aiplatform/package.json')), 'build/protos/protos.json');
const SERVICE = 'google.cloud.aiplatform.v1.PredictionService';
const ENDPOINT = /^projects\/[^/]+\/locations\/[^/]+\/endpoints\/([^/]+)$/;

/**
 * Vertex AI's PredictionService/Predict on loopback, over plaintext gRPC, from the protos the
 * client package ships: the real @google-cloud/aiplatform client calls it (WAYMARK_VERTEX_INSECURE).
 * Endpoint ids map to models; a call's instances go to `predict`, and the answer says which
 * deployed model served it. Every call is recorded as received.
 */
export class VertexServer {
  readonly received: PredictCall[] = [];
  private readonly server = new grpc.Server();
  private readonly script: VertexAnswer[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private untrack?: () => void;
  private port = 0;

  private constructor(
    private readonly endpoints: Record<string, ScoreName>,
    private readonly predict: HostedPredict,
    readonly deployedModelId: string,
  ) {}

  static async start(options: { endpoints: Record<string, ScoreName>; predict: HostedPredict; deployedModelId: string }): Promise<VertexServer> {
    const server = new VertexServer(options.endpoints, options.predict, options.deployedModelId);
    await server.listen();
    return server;
  }

  /** host:port, for WAYMARK_VERTEX_API_ENDPOINT. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The next calls' answers, in order. */
  answerNext(...answers: VertexAnswer[]): void {
    this.script.push(...answers);
  }

  /** Drops the answers not given yet (a call that timed out before it arrived leaves its answer behind). */
  clearScript(): void {
    this.script.length = 0;
  }

  /** Stops at once: calls in flight end (CANCELLED), answers waiting are dropped; again is a no-op. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.forceShutdown();
    this.untrack?.();
  }

  private async listen(): Promise<void> {
    const root = protobuf.Root.fromJSON(JSON.parse(await fs.promises.readFile(PROTOS, 'utf8')));
    const request = root.lookupType('google.cloud.aiplatform.v1.PredictRequest');
    const response = root.lookupType('google.cloud.aiplatform.v1.PredictResponse');
    const predict: grpc.MethodDefinition<protobuf.Message, Record<string, unknown>> = {
      path: `/${SERVICE}/Predict`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (m) => Buffer.from(request.encode(m).finish()),
      requestDeserialize: (bytes) => request.decode(bytes),
      responseSerialize: (o) => Buffer.from(response.encode(response.fromObject(o)).finish()),
      responseDeserialize: (bytes) => response.toObject(response.decode(bytes)),
    };
    this.server.addService({ Predict: predict }, { Predict: (call: grpc.ServerUnaryCall<protobuf.Message, unknown>, done: grpc.sendUnaryData<Record<string, unknown>>) => this.answer(call, done) });
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
    // Closed by the test; if a failure skipped that, at the end of the file (tests/support/cleanup.ts).
    this.untrack = track(`VertexServer at ${this.address}`, () => this.close(), 'server');
  }

  private answer(call: grpc.ServerUnaryCall<protobuf.Message, unknown>, done: grpc.sendUnaryData<Record<string, unknown>>): void {
    const { endpoint = '', instances = [] } = call.request.toJSON() as { endpoint?: string; instances?: unknown[] };
    const deadline = call.getDeadline();
    const fail = (code: grpc.status, details: string) => done({ code, details });
    let rows: unknown[];
    try {
      rows = instances.map(fromValue);
    } catch (err) {
      return fail(grpc.status.INVALID_ARGUMENT, (err as Error).message);
    }
    this.received.push({ endpoint, instances: rows, deadlineMs: (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now() });
    const model = this.endpoints[ENDPOINT.exec(endpoint)?.[1] ?? ''];
    if (!model) return fail(grpc.status.NOT_FOUND, `Endpoint \`${endpoint}\` not found.`);
    const malformed = rows.findIndex((r) => !Array.isArray(r) || r.length !== FEATURES.length || r.some((v) => v !== null && typeof v !== 'number'));
    if (malformed >= 0) return fail(grpc.status.INVALID_ARGUMENT, `instance ${malformed}: expected a list of ${FEATURES.length} numbers or nulls`);
    const predictions = (list: unknown[]) => done(null, { predictions: list.map(toValue), deployedModelId: this.deployedModelId });
    const fromModel = () => this.predict(model, rows as Array<Array<number | null>>).then(predictions, (err: Error) => fail(grpc.status.INTERNAL, err.message));
    const next = this.script.shift();
    if (!next) return void fromModel();
    if (next.kind === 'fail') return fail(next.code, next.message);
    if (next.kind === 'predictions') return predictions(next.predictions);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!call.cancelled) void fromModel();
    }, next.delayMs);
    this.timers.add(timer);
    call.on('cancelled', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }
}

/** A google.protobuf.Value in its JSON form (toJSON) as the value it encodes; one with no kind set is refused. */
function fromValue(v: unknown): unknown {
  const value = v as { nullValue?: string; numberValue?: number; stringValue?: string; boolValue?: boolean; listValue?: { values?: unknown[] }; structValue?: { fields?: Record<string, unknown> } };
  if (value.nullValue !== undefined) return null;
  if (value.numberValue !== undefined) return value.numberValue;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.listValue) return (value.listValue.values ?? []).map(fromValue);
  if (value.structValue) return Object.fromEntries(Object.entries(value.structValue.fields ?? {}).map(([k, f]) => [k, fromValue(f)]));
  throw new Error(`a google.protobuf.Value with no kind set: ${JSON.stringify(v)}`);
}

/** A JSON value as a google.protobuf.Value object (for fromObject). */
function toValue(v: unknown): Record<string, unknown> {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: { fields: Object.fromEntries(Object.entries(v as object).map(([k, f]) => [k, toValue(f)])) } };
}
