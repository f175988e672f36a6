import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/free-port';
import { startDevServer } from '../../src/temporal/dev-server';

/** A port held by a listener of this test, as another process would hold a port the dev server picked. */
async function hold(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return server;
}

async function configWith(dataDir: string, httpPort: number, attempts: number) {
  return loadConfig({}, {
    WAYMARK_DATA_DIR: dataDir,
    WAYMARK_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    WAYMARK_TEMPORAL_UI_PORT: String(await freePort()),
    WAYMARK_TEMPORAL_HTTP_PORT: String(httpPort),
    WAYMARK_DEV_SERVER_START_ATTEMPTS: String(attempts),
  });
}

describe('the dev server exiting while it starts (a port it needs taken meanwhile)', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR ?? os.tmpdir(), 'waymark-start-'))));
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('is started again, and comes up once the port is free', async () => {
    const httpPort = await freePort();
    const squatter = await hold(httpPort);
    const said: string[] = [];
    // The port is freed when the first start has failed on it: the second start gets it.
    const server = await startDevServer(await configWith(dataDir, httpPort, 3), (line) => {
      said.push(line);
      if (line.includes('starting it again')) squatter.close();
    });
    try {
      expect(said.filter((l) => l.includes('starting it again'))).toEqual([
        `The Temporal dev server exited while starting (code 1: Error: can't set frontend HTTP port ${httpPort}: listen tcp 127.0.0.1:${httpPort}: bind: address already in use); starting it again (attempt 2 of 3).`,
      ]);
      const api = await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/default`);
      expect(api.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('fails after the attempts configured, with what the server printed (the port it could not bind)', async () => {
    const httpPort = await freePort();
    const squatter = await hold(httpPort);
    try {
      const said: string[] = [];
      await expect(startDevServer(await configWith(dataDir, httpPort, 2), (line) => said.push(line))).rejects.toThrow(
        new RegExp(`exited \\(code 1: Error: can't set frontend HTTP port ${httpPort}: .*\\):\\nError: can't set frontend HTTP port ${httpPort}: listen tcp 127\\.0\\.0\\.1:${httpPort}: bind: address already in use`),
      );
      expect(said.filter((l) => l.includes('starting it again'))).toHaveLength(1);
    } finally {
      squatter.close();
    }
  });
});
