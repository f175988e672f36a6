import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { loadCatalog } from '../runtime';
import { createApp } from './app';
import { knownEventTypes } from './known-types';
import { temporalGateway } from './temporal';

/** The app wired to a Temporal client and the published journeys, as `npm run dev`, `npm run api` and the benchmark run it. */
export function createAppForClient(config: Config, client: Client, logger: Logger, registry = new Registry()): Hono {
  return createApp({ config, logger, registry, knownTypes: knownEventTypes(loadCatalog(config)), ...temporalGateway(client, config) });
}

export interface RunningServer {
  url: string;
  /** Stops accepting connections, lets requests in flight finish for up to api.shutdownGraceMs, then cuts the rest. */
  close(): Promise<void>;
}

/** Serves `app` on api.host:api.port; resolves once it listens. */
export function listen(app: Hono, config: Config): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // serve() without TLS or HTTP/2 options creates a node:http Server.
    const server = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, (info: AddressInfo) => {
      server.removeAllListeners('error');
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), config.api.shutdownGraceMs);
            server.close(() => {
              clearTimeout(force);
              done();
            });
          }),
      });
    }) as Server;
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? Object.assign(new Error(`port ${config.api.port} on ${config.api.host} is already in use (WAYMARK_API_PORT): is another 'waymark dev' or 'npm run api' running?`), { code: 'PORT_IN_USE' })
          : err,
      ),
    );
  });
}
