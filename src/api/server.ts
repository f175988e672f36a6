import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { variableOf, type Config } from '../config';
import type { Logger } from '../logger';
import { LiveCatalog } from '../journey/live-catalog';
import { JourneyStore } from '../store/journeys';
import { Store } from '../store/store';
import { createApp, type EventApi } from './app';
import { liveKnownTypes } from './known-types';
import { storeResultsReader } from '../results/reader';
import { consoleDeps } from '../console/deps';
import { warehouseKpisReader } from '../results/warehouse-reader';
import { temporalGateway } from './temporal';

/**
 * The app wired to a Temporal client and the store's published journeys, as `npm run dev`, `npm run api` and the benchmark run it.
 * With a `tracer` (tracing on) each request has a span; the client must then be traced too (src/telemetry/interceptors.ts clientTracing).
 */
export function createAppForClient(config: Config, client: Client, logger: Logger, registry = new Registry(), store = new Store(config, logger), tracer?: Tracer): EventApi {
  const catalog = new LiveCatalog(new JourneyStore(store), config.store.catalogRefreshMs);
  return createApp({ config, logger, registry, store, knownTypes: liveKnownTypes(catalog, logger), ...temporalGateway(client, config, logger), tracer, results: storeResultsReader(client, store, warehouseKpisReader(config, logger)), console: consoleDeps(config, client, store, catalog, logger) });
}

export interface RunningServer {
  url: string;
  /** Where GET /metrics answers; undefined when WAYMARK_API_METRICS_ADDRESS is empty. */
  metricsUrl?: string;
  /** Stops accepting connections, lets requests in flight finish for up to api.shutdownGraceMs, then cuts the rest. */
  close(): Promise<void>;
}

/** Serves the API on api.host:api.port and its metrics on api.metricsAddress; resolves once both listen. */
export async function listen({ app, metrics }: EventApi, config: Config): Promise<RunningServer> {
  const { api } = config;
  // Node checks its timeouts on this period: a tenth of the header timeout cuts a slow client close to its deadline.
  const timeouts = {
    headersTimeout: api.headersTimeoutMs,
    requestTimeout: api.requestTimeoutMs,
    keepAliveTimeout: api.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.round(api.headersTimeoutMs / 10)),
  };
  const main = await serveOn(app, api.host, api.port, 'api.port', timeouts, api.shutdownGraceMs, api.reusePort);
  if (!api.metricsAddress) return main;
  const [host, port] = splitAddress(api.metricsAddress);
  const side = await serveOn(metrics, host, port, 'api.metricsAddress', timeouts, api.shutdownGraceMs, api.reusePort).catch(async (err: unknown) => {
    await main.close();
    throw err;
  });
  return {
    url: main.url,
    metricsUrl: `${side.url}/metrics`,
    close: async () => {
      await Promise.all([main.close(), side.close()]);
    },
  };
}

export function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

export function serveOn(app: Hono, hostname: string, port: number, setting: string, timeouts: Record<string, number>, graceMs: number, reusePort = false): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // Without TLS or HTTP/2 options this is a node:http Server.
    const server = createAdaptorServer({ fetch: app.fetch, serverOptions: timeouts }) as Server;
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? Object.assign(new Error(`port ${port} on ${hostname} is already in use (${variableOf(setting)}): is another 'waymark dev' or 'npm run api' running?`), { code: 'PORT_IN_USE' })
          : err,
      ),
    );
    server.listen({ port, host: hostname, reusePort }, () => {
      server.removeAllListeners('error');
      const info = server.address() as AddressInfo;
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            server.close(() => {
              clearTimeout(force);
              done();
            });
          }),
      });
    });
  });
}
