import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { ConfigError, loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createDeps, prepareStore, type Deps } from '../../src/runtime';
import { createAppForClient, listen, type RunningServer } from '../../src/api/server';
import { temporalDataConverter } from '../../src/temporal/data-converter';
import { otlpExporter } from '../../src/telemetry/exporter';
import { clientTracing, TRACING_WORKFLOW_MODULES, workerTracing } from '../../src/telemetry/interceptors';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { createJourneyWorker } from '../../workers/journey-worker';
import { customerWorkflowId, journeyWorkflowId } from '../../workflows/contract';
import { captureLogger, post, TEST_API_SETTINGS } from '../support/api';
import { devServer, eventually } from '../support/dev-server';
import { makeEvent, startWorker } from '../support/harness';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;
const HISTORIES = path.resolve(__dirname, '../fixtures/histories');

describe('tracing off (the default)', () => {
  it('reads as off, and installs nothing on clients or workers', async () => {
    const settings = loadConfig({}, {}).tracing;
    expect(settings).toEqual({ enabled: false, otlpUrl: 'http://127.0.0.1:4318/v1/traces', otlpTimeoutMs: 10_000 });
    expect(startTracing(settings, 'api', createLogger({ logLevel: 'silent', logFormat: 'json' }))).toBeUndefined();
    expect(clientTracing(undefined)).toEqual({});
    expect(workerTracing(undefined)).toEqual({});

    // The worker every test and `npm run worker` create: no activity interceptor, no workflow module, no span sink.
    const server = await devServer();
    const worker = await startWorker(server.nativeConnection, server.config);
    try {
      expect(worker.options.interceptors.activity).toEqual([]);
      expect(worker.options.interceptors.workflowModules).toEqual([]);
      expect(worker.options.sinks).not.toHaveProperty('exporter');
    } finally {
      await worker.runUntil(Promise.resolve());
      await server.close();
    }
  });

  it('names the variable of a bad value', () => {
    const load = (env: Record<string, string>) => loadConfig({}, env).tracing;
    expect(() => load({ WAYMARK_TRACING: 'yes' })).toThrow(ConfigError);
    expect(() => load({ WAYMARK_TRACING: 'yes' })).toThrow(/WAYMARK_TRACING="yes"/);
    expect(() => load({ WAYMARK_OTLP_URL: 'collector:4318' })).toThrow(/WAYMARK_OTLP_URL="collector:4318": must be the collector's http\(s\):\/\/ OTLP traces endpoint/);
    expect(() => load({ WAYMARK_OTLP_TIMEOUT: '10' })).toThrow(/WAYMARK_OTLP_TIMEOUT="10": must be a duration/);
    expect(load({ WAYMARK_TRACING: 'true', WAYMARK_OTLP_URL: 'http://otel:4318/v1/traces', WAYMARK_OTLP_TIMEOUT: '3s' })).toEqual({ enabled: true, otlpUrl: 'http://otel:4318/v1/traces', otlpTimeoutMs: 3_000 });
  });
});

describe('a collector that does not answer', () => {
  it('fails the export within the timeout, and says so once a minute, not per batch', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    // Accepts connections and never answers.
    const held = new Set<net.Socket>();
    const collector = net.createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as net.AddressInfo;
    const exporter = otlpExporter({ enabled: true, otlpUrl: `http://127.0.0.1:${port}/v1/traces`, otlpTimeoutMs: 1_000 }, captureLogger(stream));
    try {
      const memory = new InMemorySpanExporter();
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('test').startSpan('one').end();
      const exportOnce = () =>
        new Promise<{ result: ExportResult; ms: number }>((resolve) => {
          const started = Date.now();
          exporter.export(memory.getFinishedSpans(), (result) => resolve({ result, ms: Date.now() - started }));
        });
      const first = await exportOnce();
      const second = await exportOnce();
      expect([first.result.code, second.result.code]).toEqual([ExportResultCode.FAILED, ExportResultCode.FAILED]);
      expect(Math.max(first.ms, second.ms)).toBeLessThan(3_000);
      const said = lines.map((l) => JSON.parse(l) as { msg: string; spansLost: number; collector: string }).filter((l) => l.msg.startsWith('tracing: spans not exported'));
      expect(said).toEqual([expect.objectContaining({ spansLost: 1, collector: `http://127.0.0.1:${port}/v1/traces` })]);
    } finally {
      await exporter.shutdown();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe('spans leaving the process', () => {
  it('have email- and phone-like text in their errors replaced, as log lines do', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ enabled: true, otlpUrl: 'http://unused', otlpTimeoutMs: 5_000 }, 'worker', createLogger({ logLevel: 'silent', logFormat: 'json' }), exporter)!;
    const span = tracing.tracer.startSpan('RunActivity:deliverMessage', { attributes: { temporalActivityId: '2' } });
    span.recordException(new Error('mailbox jane@example.com is full; call +33 6 12 34 56 78'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'mailbox jane@example.com is full' });
    span.end();
    await tracing.flush();
    const [exported] = exporter.getFinishedSpans();
    await tracing.shutdown();
    expect(exported!.status.message).toBe('mailbox [email] is full');
    expect(exported!.events[0]!.attributes).toMatchObject({ 'exception.message': 'mailbox [email] is full; call [phone]' });
    expect(String(exported!.events[0]!.attributes!['exception.stacktrace'])).not.toContain('jane@example.com');
    expect(exported!.duration).toEqual((span as unknown as ReadableSpan).duration);
    expect(exported!.spanContext().spanId).toBe(span.spanContext().spanId);
  });
});

describe('tracing on: one trace from the API request to the send', () => {
  let exporter: InMemorySpanExporter;
  let tracing: Tracing;
  let code: string;
  let server: Awaited<ReturnType<typeof devServer>>;
  let deps: Deps;
  let worker: Worker;
  let running: Promise<void>;
  let http: RunningServer;

  beforeAll(async () => {
    // A traced worker's bundle holds the tracing interceptors (the shared test bundle does not).
    ({ code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), workflowInterceptorModules: TRACING_WORKFLOW_MODULES, logger: quiet }));
    exporter = new InMemorySpanExporter();
    tracing = startTracing({ enabled: true, otlpUrl: 'http://unused', otlpTimeoutMs: 5_000 }, 'dev', createLogger({ logLevel: 'silent', logFormat: 'json' }), exporter)!;
    server = await devServer(TEST_API_SETTINGS);
    const { config } = server;
    deps = createDeps(config);
    await prepareStore(deps);
    const dataConverter = temporalDataConverter(config, deps.store);
    worker = await createJourneyWorker({ connection: server.nativeConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.journeyTaskQueue, deps, workflowBundle: { code }, dataConverter, tracing });
    running = worker.run();
    const client = new Client({ connection: server.client.connection, namespace: config.temporal.namespace, dataConverter, ...clientTracing(tracing) });
    http = await listen(createAppForClient(config, client, createLogger(config), new Registry(), deps.store, tracing.tracer), config);
  }, 180_000);

  afterAll(async () => {
    await http?.close();
    worker?.shutdown();
    await running;
    await deps?.store.close();
    await server?.close();
    await tracing?.shutdown();
  });

  /** The spans of one trace exported so far (workflow spans come through the worker's sink). */
  const traceOf = async (traceId: string) => {
    await tracing.flush();
    return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  };
  const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

  it('links the request, the router, the journey run it starts and the send, each span the child of one in the trace', async () => {
    const customerId = `traced-${randomUUID().slice(0, 8)}`;
    const res = await post(http.url, '/v1/events', makeEvent('signed_up', customerId, Date.now(), { context: { email: 'traced@example.com' } }));
    expect(res.status).toBe(202);
    await eventually(async () => ((await deps.outbox.list()).some((m) => m.customerId === customerId) ? true : undefined), 'the welcome email');

    await tracing.flush();
    const signalWithStart = exporter.getFinishedSpans().find((s) => s.name === 'SignalWithStartWorkflow:customerWorkflow' && s.attributes.temporalWorkflowId === customerWorkflowId(customerId));
    expect(signalWithStart).toBeDefined();
    const traceId = signalWithStart!.spanContext().traceId;
    // The send's spans end when the activity has returned and the run has taken its result.
    const spans = await eventually(async () => {
      const found = await traceOf(traceId);
      return named(found, 'StartActivity:deliverMessage').length && named(found, 'RunActivity:deliverMessage').length ? found : undefined;
    }, 'the send activity spans');

    // Every span of this customer's router and journey run, from the process and from the workflows, is in this one trace.
    const runs = [customerWorkflowId(customerId), journeyWorkflowId('onboarding', customerId)];
    const ofRuns = exporter.getFinishedSpans().filter((s) => runs.includes(String(s.attributes.temporalWorkflowId ?? s.attributes.workflowId)));
    expect(ofRuns.length).toBeGreaterThan(5);
    expect(new Set(ofRuns.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));

    const names = spans.map((s) => s.name);
    for (const name of [
      'POST /v1/events',
      'SignalWithStartWorkflow:customerWorkflow',
      'RunWorkflow:customerWorkflow',
      'HandleSignal:event:signed_up',
      'StartActivity:startJourneys',
      'RunActivity:startJourneys',
      'StartWorkflow:journeyWorkflow',
      'RunWorkflow:journeyWorkflow',
      'StartActivity:deliverMessage',
      'RunActivity:deliverMessage',
    ]) {
      expect(names).toContain(name);
    }

    // One tree: the request is the root, every other span's parent is a span of the trace.
    const ids = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.name)).toEqual(['POST /v1/events']);
    for (const s of spans) if (s.parentSpanId) expect({ span: s.name, parentFound: ids.has(s.parentSpanId) }).toEqual({ span: s.name, parentFound: true });

    // From the send up to the request, in this order.
    const chain: string[] = [];
    for (let s: ReadableSpan | undefined = named(spans, 'RunActivity:deliverMessage')[0]; s; s = s.parentSpanId ? ids.get(s.parentSpanId) : undefined) chain.push(s.name);
    expect(chain).toEqual([
      'RunActivity:deliverMessage',
      'StartActivity:deliverMessage',
      'RunWorkflow:journeyWorkflow',
      'StartWorkflow:journeyWorkflow',
      'RunActivity:startJourneys',
      'StartActivity:startJourneys',
      'HandleSignal:event:signed_up',
      'SignalWithStartWorkflow:customerWorkflow',
      'POST /v1/events',
    ]);
    // Each process and each workflow says which service it is.
    expect(new Set(spans.map((s) => s.resource.attributes['service.name']))).toEqual(new Set(['waymark-dev']));
    expect(named(spans, 'POST /v1/events')[0]!.attributes).toMatchObject({ 'http.route': '/v1/events', 'http.response.status_code': 202 });
  });

  it("continues a caller's trace from its traceparent header, in a router that was already running", async () => {
    const customerId = `traced-${randomUUID().slice(0, 8)}`;
    expect((await post(http.url, '/v1/events', makeEvent('page_viewed', customerId, Date.now()))).status).toBe(202);
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const res = await post(http.url, '/v1/events', makeEvent('pricing_viewed', customerId, Date.now()), { traceparent: `00-${traceId}-${callerSpanId}-01` });
    expect(res.status).toBe(202);
    const spans = await eventually(async () => {
      const found = await traceOf(traceId);
      return named(found, 'RunActivity:journeysEnteredBy').length ? found : undefined;
    }, "the router's handling of the event in the caller's trace");

    const ids = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const chain: string[] = [];
    let top: ReadableSpan | undefined;
    for (let s: ReadableSpan | undefined = named(spans, 'RunActivity:journeysEnteredBy')[0]; s; s = s.parentSpanId ? ids.get(s.parentSpanId) : undefined) {
      chain.push(s.name);
      top = s;
    }
    expect(chain).toEqual(['RunActivity:journeysEnteredBy', 'StartActivity:journeysEnteredBy', 'HandleSignal:event:pricing_viewed', 'SignalWithStartWorkflow:customerWorkflow', 'POST /v1/events']);
    expect(top!.parentSpanId).toBe(callerSpanId);
    // The router's own span belongs to the first event's trace, which started it.
    expect(named(spans, 'RunWorkflow:customerWorkflow')).toEqual([]);
  });

  it('replays the recorded histories with the tracing interceptors (turning tracing on breaks no run in flight)', async () => {
    const files = ['v1', 'v2'].flatMap((folder) => fs.readdirSync(path.join(HISTORIES, folder)).filter((f) => f.endsWith('.json')).map((f) => `${folder}/${f}`));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));
      await Worker.runReplayHistory({ workflowBundle: { code }, ...workerTracing(tracing, 'prebuilt') }, history, file);
    }
  });
});
