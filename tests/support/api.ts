import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Worker } from '@temporalio/worker';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { customerWorkflowId } from '../../workflows/contract';
import { REDACT_PATHS, createLogger, type Logger } from '../../src/logger';
import { createDeps } from '../../src/runtime';
import { createAppForClient, listen, type RunningServer } from '../../src/api/server';
import { track } from './cleanup';
import { startWorker } from './harness';
import { writeContentFor } from './content';
import { devServer } from './dev-server';

export const KEY = 'test-key-events';
export const METRICS_ONLY_KEY = 'test-key-metrics';
export const API_KEYS = `${KEY}:events,${METRICS_ONLY_KEY}:metrics`;

/** A pino logger with Waymark's redaction writing to `stream` (to check what logs contain). */
export function captureLogger(stream: Writable): Logger {
  return pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

/** Settings every test API gets: its own free ports (the API's and the metrics'), the test keys. */
export const TEST_API_SETTINGS = { WAYMARK_API_KEYS: API_KEYS, WAYMARK_API_PORT: '0', WAYMARK_API_METRICS_ADDRESS: '127.0.0.1:0' };

/**
 * An event API on loopback, wired like production to the shared dev server and (unless
 * `worker: false`, for tests of what the API itself answers) a journeys worker.
 */
export async function apiOnDevServer(overrides: Record<string, string> = {}, logger?: Logger, { worker: withWorker = true } = {}) {
  const server = await devServer({ ...TEST_API_SETTINGS, ...overrides });
  const deps = createDeps(server.config);
  const worker: Worker | undefined = withWorker ? await startWorker(server.nativeConnection, server.config, deps) : undefined;
  const running = worker?.run();
  const registry = new Registry();
  const http: RunningServer = await listen(createAppForClient(server.config, server.client, logger ?? createLogger(server.config), registry), server.config);
  const untrack = track(`event API at ${http.url}`, () => http.close(), 'server');
  return {
    ...server,
    deps,
    registry,
    url: http.url,
    metricsUrl: http.metricsUrl!,
    post: (path: string, body: unknown, headers: Record<string, string> = {}) => post(http.url, path, body, headers),
    async close() {
      await http.close();
      untrack();
      worker?.shutdown();
      await running;
      await server.close();
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** Bytes of the answer's body. */
  size: number;
}

/** POSTs JSON (a string or Buffer body is sent as is) with the test key unless headers say otherwise. */
export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Record<string, unknown>, size: Buffer.byteLength(text) };
}

/** Workflows of any kind that carry this customer's CustomerId (routers and journey runs). */
export async function workflowsOf(client: Client, customerId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `CustomerId = '${customerId}'` })) ids.push(wf.workflowId);
  return ids;
}

/** True when the customer's router exists: submitting any event for a customer starts it. */
export async function routerExists(client: Client, customerId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(customerWorkflowId(customerId)).describe();
    return true;
  } catch (err) {
    if ((err as Error).name === WorkflowNotFoundError.name) return false;
    throw err;
  }
}

/**
 * Writes journey definitions as JSON files into a fresh directory, for WAYMARK_JOURNEYS_DIR, and its
 * "templates" folder: `templates` (file name to text), and a plain template for every other send step.
 */
export function journeysDir(journeys: Array<Record<string, unknown>>, templates: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'journeys-'));
  for (const j of journeys) fs.writeFileSync(path.join(dir, `${String(j.id)}.json`), JSON.stringify(j));
  writeContentFor(path.join(dir, 'templates'), journeys, templates);
  return dir;
}
