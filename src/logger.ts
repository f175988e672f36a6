import pino from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config';

/** Paths that may carry keys or personal data; pino replaces their values. */
export const REDACT_PATHS = [
  'apiKey',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'email',
  'phone',
  '*.email',
  '*.phone',
  'context.email',
  'context.phone',
  '*.context.email',
  '*.context.phone',
];

export type Logger = pino.Logger;

/** Where log lines go: stdout unless a test passes its own stream. */
export type LogDestination = pino.DestinationStream & { isTTY?: boolean };

/**
 * A pino logger. With WAYMARK_LOG_FORMAT=auto a person at a terminal reads one line per entry,
 * while anything piped or collected (log shippers, CI, tests) gets the JSON lines it parses.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, name = 'waymark', out?: LogDestination): Logger {
  const options: pino.LoggerOptions = { name, level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  const terminal = (out ?? process.stdout).isTTY === true;
  if (config.logFormat === 'pretty' || (config.logFormat === 'auto' && terminal)) {
    // sync: the CLI ends with process.exit(), which must not cut the last lines.
    const lines = pretty({ destination: out ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', ...(terminal ? {} : { colorize: false }) });
    return pino(options, lines);
  }
  return out ? pino(options, out) : pino(options);
}
