import fs from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { freePort } from '../../src/free-port';
import { startOrReuseEmbedded } from '../../src/store/embedded';
import { inspectEmbeddedServer, type LockProbes } from '../../src/store/embedded-lock';

const probes = (text: string | undefined, alive: boolean): LockProbes => ({ readLockFile: () => text, isAlive: () => alive });
const LOCK = (pid: number, port: number) => `${pid}\n/data\n1796580000\n${port}\n\n127.0.0.1\n  5432001  0\nready   \n`;

describe('what the embedded PostgreSQL lock file says', () => {
  it('absent, running (with its port), stale or indeterminate', () => {
    expect(inspectEmbeddedServer('/data', probes(undefined, false))).toEqual({ kind: 'absent' });
    expect(inspectEmbeddedServer('/data', probes(LOCK(4242, 5499), true))).toEqual({ kind: 'running', pid: 4242, port: 5499 });
    expect(inspectEmbeddedServer('/data', probes(LOCK(4242, 5499), false))).toEqual({ kind: 'stale', pid: 4242 });
    expect(inspectEmbeddedServer('/data', probes('4242\n/data\n', true))).toMatchObject({ kind: 'indeterminate', why: expect.stringContaining('postmaster.pid is incomplete') });
    expect(inspectEmbeddedServer('/data', probes('', true))).toMatchObject({ kind: 'indeterminate' });
  });
});

describe('a second process starting the embedded PostgreSQL while one runs (real servers)', () => {
  it('reuses a live server that misses the quick probe (a loaded machine) instead of starting a second one; names a port mismatch', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'reuse-'));
    const port = await freePort();
    const settings = { dir, port, database: 'waymark', startTimeoutMs: 60_000, probeMs: 1_000 };
    const first = await startOrReuseEmbedded(settings);
    try {
      expect(first.startedHere).toBe(true);
      // A probe of 1 ms never gets an answer: as a busy machine's 1 s probe did.
      const second = await startOrReuseEmbedded({ ...settings, probeMs: 1 });
      expect(second).toMatchObject({ startedHere: false, url: first.url });
      const other = await freePort();
      await expect(startOrReuseEmbedded({ ...settings, port: other, probeMs: 1 })).rejects.toThrow(new RegExp(`already runs \\(pid \\d+\\) on port ${port}, not ${other}: set WAYMARK_EMBEDDED_POSTGRES_PORT=${port}`));
    } finally {
      await first.stop();
    }
  });
});

describe('starting the embedded PostgreSQL on a port another program holds (a real server)', () => {
  it('says the port is taken and which variable moves it', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.WAYMARK_TEST_DIR!, 'taken-'));
    const port = await freePort();
    // Another folder's embedded PostgreSQL, or any program, listening where this one would.
    const holder = net.createServer().listen(port, '127.0.0.1');
    await once(holder, 'listening');
    try {
      await expect(startOrReuseEmbedded({ dir, port, database: 'waymark', startTimeoutMs: 60_000, probeMs: 1_000 })).rejects.toThrow(
        new RegExp(`did not start; port ${port} is taken by another program \\(another folder's embedded PostgreSQL, for one\\): set WAYMARK_EMBEDDED_POSTGRES_PORT to a free port`),
      );
    } finally {
      holder.close();
    }
  });
});
