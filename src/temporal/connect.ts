import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { variableOf, type Config } from '../config';
import { Store } from '../store/store';
import { temporalDataConverter } from './data-converter';

export class TemporalUnreachableError extends Error {
  readonly code = 'TEMPORAL_UNREACHABLE';
  constructor(config: Pick<Config, 'temporal'>, cause: unknown) {
    const { address } = config.temporal;
    const tls = usesTls(config)
      ? ` Over TLS: a server name that does not match its certificate (WAYMARK_TEMPORAL_TLS_SERVER_NAME), a CA that did not sign it (WAYMARK_TEMPORAL_TLS_CA), or a client certificate the server does not accept (WAYMARK_TEMPORAL_TLS_CERT, WAYMARK_TEMPORAL_TLS_KEY) fails here too.`
      : '';
    super(`cannot reach Temporal at ${address} (WAYMARK_TEMPORAL_ADDRESS): ${(cause as Error)?.message ?? cause}. Is the server running? 'npm run dev' starts one.${tls}`);
    this.name = 'TemporalUnreachableError';
  }
}

/** A TLS setting that cannot be used: an unreadable file, not a certificate or a key, an expired certificate, a key that is not the certificate's. */
export class TemporalTlsSettingError extends Error {
  readonly code = 'TEMPORAL_TLS_SETTING';
  constructor(setting: string, problem: string) {
    super(`${variableOf(setting)}: ${problem}`);
    this.name = 'TemporalTlsSettingError';
  }
}

const usesTls = ({ temporal }: Pick<Config, 'temporal'>) =>
  temporal.tls.mode === 'on' || (temporal.tls.mode === 'auto' && Boolean(temporal.tls.certFile || temporal.tls.caFile || temporal.apiKey));

function readSetting(setting: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new TemporalTlsSettingError(setting, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function certificate(setting: string, file: string, now: Date): { pem: Buffer; x509: X509Certificate } {
  const pem = readSetting(setting, file);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    throw new TemporalTlsSettingError(setting, `${file} is not a PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  if (new Date(x509.validTo) < now) throw new TemporalTlsSettingError(setting, `the certificate in ${file} (${x509.subject.replace(/\n/g, ', ')}) expired on ${new Date(x509.validTo).toISOString()}`);
  if (new Date(x509.validFrom) > now) throw new TemporalTlsSettingError(setting, `the certificate in ${file} is not valid before ${new Date(x509.validFrom).toISOString()}`);
  return { pem, x509 };
}

/**
 * The TLS options of every Temporal connection (clients, workers, the CLI), from the config's
 * files, checked before any connection: what is wrong with a file is said with its variable,
 * rather than as a handshake failure later. Undefined: plain TCP (a local dev server).
 */
export function temporalTls(config: Pick<Config, 'temporal'>, now = new Date()): TLSConfig | undefined {
  if (!usesTls(config)) return undefined;
  const { certFile, keyFile, caFile, serverName } = config.temporal.tls;
  const tls: TLSConfig = {};
  if (serverName) tls.serverNameOverride = serverName;
  if (caFile) tls.serverRootCACertificate = certificate('temporal.tls.caFile', caFile, now).pem;
  if (certFile) {
    const cert = certificate('temporal.tls.certFile', certFile, now);
    const keyPem = readSetting('temporal.tls.keyFile', keyFile);
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(keyPem);
    } catch {
      throw new TemporalTlsSettingError('temporal.tls.keyFile', `${keyFile} is not a PEM private key (unencrypted: "-----BEGIN PRIVATE KEY-----" or "-----BEGIN EC/RSA PRIVATE KEY-----")`);
    }
    if (!cert.x509.checkPrivateKey(key)) throw new TemporalTlsSettingError('temporal.tls.keyFile', `the key in ${keyFile} is not the private key of the certificate in ${certFile} (WAYMARK_TEMPORAL_TLS_CERT)`);
    tls.clientCertPair = { crt: cert.pem, key: keyPem };
  }
  return tls;
}

/** Address, TLS and API key: what every connection to Temporal is made with. */
export function temporalConnectionOptions(config: Pick<Config, 'temporal'>): { address: string; tls?: TLSConfig; apiKey?: string } {
  const tls = temporalTls(config);
  return { address: config.temporal.address, ...(tls ? { tls } : {}), ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}) };
}

/**
 * A client for starting and signalling workflows. With payload keys, customers' data keys are in
 * `store` (by default one of its own, which connects only when a customer's payload needs a key).
 */
export async function connectClient(config: Config, store: Store = new Store(config)): Promise<Client> {
  const options = temporalConnectionOptions(config);
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: config.temporal.connectTimeoutMs });
    return new Client({ connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(config, store) });
  } catch (err) {
    throw new TemporalUnreachableError(config, err);
  }
}

/** A connection for workers. */
export async function connectWorker(config: Config): Promise<NativeConnection> {
  const options = temporalConnectionOptions(config);
  try {
    return await NativeConnection.connect(options);
  } catch (err) {
    throw new TemporalUnreachableError(config, err);
  }
}
