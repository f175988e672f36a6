import pino from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config';
import { configuredSecrets, redactContacts, secretRedactor } from './redact';

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

/** How deep an error's causes and fields are followed: deeper parts are dropped, not printed. */
const ERROR_DEPTH = 5;

/** An error (or the text standing for one) as printed: serialized with its message and stack, every text passed through `clean`. */
function printableError(value: unknown, clean: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return clean(value);
  if (value instanceof Error) return printableError(pino.stdSerializers.err(value), clean, depth);
  if (depth >= ERROR_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => printableError(item, clean, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, printableError(field, clean, depth + 1)]));
}

/**
 * A pino logger. With WAYMARK_LOG_FORMAT=auto a person at a terminal reads one line per entry,
 * while anything piped or collected (log shippers, CI, tests) gets the JSON lines it parses.
 *
 * Besides REDACT_PATHS (structured fields), messages and errors are redacted: a database error
 * quotes the row it refused and a provider the request it got, so email- and phone-like text in a
 * line's message and in its `err`/`error` (message, stack, every field) is replaced as the event
 * API replaces it. The configured secrets (src/redact.ts) are replaced anywhere in a line.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'> & Partial<Config>, name = 'waymark', out?: LogDestination): Logger {
  const secrets = secretRedactor(configuredSecrets(config));
  // Secrets first: a contact pattern matching part of a secret would leave the rest unrecognisable.
  const clean = (text: string) => redactContacts(secrets(text));
  const error = (value: unknown) => printableError(value, clean);
  const options: pino.LoggerOptions = {
    name,
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Ours log errors under `err`, the Temporal SDK's own lines (an activity's failure) under `error`.
    serializers: { err: error, error },
    hooks: {
      logMethod(args, method) {
        // logger.error(err) takes its message from the error, which must be cleaned too.
        const [first, ...rest] = args as unknown[];
        const given = first instanceof Error ? [{ err: first }, ...(rest.length ? rest : [first.message])] : args;
        method.apply(this, given.map((arg) => (typeof arg === 'string' ? clean(arg) : arg)) as Parameters<typeof method>);
      },
      // Anything else in a line (a field, a child logger's bindings) may still hold a secret.
      streamWrite: secrets,
    },
  };
  const terminal = (out ?? process.stdout).isTTY === true;
  if (config.logFormat === 'pretty' || (config.logFormat === 'auto' && terminal)) {
    // sync: the CLI ends with process.exit(), which must not cut the last lines.
    const lines = pretty({ destination: out ?? 1, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', ...(terminal ? {} : { colorize: false }) });
    return pino(options, lines);
  }
  return out ? pino(options, out) : pino(options);
}
