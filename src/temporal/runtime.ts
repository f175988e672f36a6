import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';

/**
 * Sends the Temporal SDK's own logs through our pino logger. Its INFO output (bundler reports,
 * worker state changes) is noise for operators, so below debug we keep only warnings and errors.
 * Call once per process, before the first worker is created. With `metricsAddress` (host:port)
 * the SDK serves Prometheus metrics there.
 */
export function installTemporalRuntime(logger: Logger, metricsAddress = ''): void {
  const level: LogLevel = logger.level === 'trace' ? 'TRACE' : logger.level === 'debug' ? 'DEBUG' : 'WARN';
  const sdk = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const method = l === 'TRACE' ? 'trace' : l === 'DEBUG' ? 'debug' : l === 'INFO' ? 'info' : l === 'WARN' ? 'warn' : 'error';
      sdk[method](meta ?? {}, message);
    }),
    telemetryOptions: {
      logging: { filter: { core: level === 'WARN' ? 'ERROR' : level, other: 'ERROR' } },
      // The SDK's own metrics (sticky cache size, task schedule-to-start and execution latency).
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
