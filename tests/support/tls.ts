import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { track } from './cleanup';

export interface TestCertificates {
  dir: string;
  /** The CA that signed the server's and the client's certificates. */
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** A client certificate from a CA the server does not trust. */
  stranger: { cert: string; key: string };
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A key and a certificate signed by `ca` (or self-signed when `ca` is absent), as PEM files in `dir`. */
function issue(dir: string, name: string, subject: string, ca?: string, extensions = ''): { cert: string; key: string } {
  const key = `${name}.key`;
  const cert = `${name}.pem`;
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', `/CN=${subject}`];
  if (!ca) {
    openssl(dir, ['req', '-x509', ...newKey, '-out', cert, '-days', '2']);
  } else {
    openssl(dir, ['req', ...newKey, '-out', `${name}.csr`]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', `${name}.ext`]);
  }
  return { cert: path.join(dir, cert), key: path.join(dir, key) };
}

/** A CA, a server certificate for 127.0.0.1 and `temporal.test`, a client certificate, and one from another CA (openssl, as an operator would make them). */
export function makeCertificates(dir: string): TestCertificates {
  fs.mkdirSync(dir, { recursive: true });
  const ca = issue(dir, 'ca', 'Waymark test CA');
  const server = issue(dir, 'server', 'temporal.test', 'ca', 'subjectAltName=DNS:temporal.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  const client = issue(dir, 'client', 'waymark-worker', 'ca', 'extendedKeyUsage=clientAuth\n');
  issue(dir, 'other-ca', 'Someone else');
  const stranger = issue(dir, 'stranger', 'waymark-worker', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  return { dir, ca: ca.cert, server, client, stranger };
}

/**
 * A TLS front for a plain Temporal server, as a cluster's or Temporal Cloud's endpoint is: HTTP/2
 * over TLS (ALPN h2), a client certificate from `certs.ca` required; the bytes inside go to
 * `target` unchanged. `handshakes` counts the clients it let through, `refused` those it did not.
 */
export async function startMutualTlsFront(target: string, certs: TestCertificates) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const counts = { handshakes: 0, refused: 0 };
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      cert: fs.readFileSync(certs.server.cert),
      key: fs.readFileSync(certs.server.key),
      ca: fs.readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      counts.handshakes += 1;
      const upstream = net.connect(port, host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    },
  );
  server.on('tlsClientError', () => (counts.refused += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  const untrack = track(`TLS front at ${address}`, close, 'server');
  return {
    address,
    counts,
    async close() {
      untrack();
      await close();
    },
  };
}
