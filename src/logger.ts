import pino from 'pino';
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

export function createLogger(config: Pick<Config, 'logLevel'>, name = 'waymark'): Logger {
  return pino({ name, level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
