import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger';
import { onCircuitChange } from '../resilience/breakers';

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
  // The providers' breakers (src/resilience): a gauge per provider, 0 closed, 1 half-open (one trial call), 2 open; and a line when one opens or closes.
  const gauge = Runtime.instance().metricMeter.createGauge('waymark_circuit_state', 'int', '', 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open');
  const breakers = logger.child({ component: 'circuit-breaker' });
  onCircuitChange((provider, state) => {
    gauge.set(state === 'closed' ? 0 : state === 'half_open' ? 1 : 2, { provider });
    if (state === 'open') breakers.warn({ provider }, `${provider} failed its last calls: calls stop for the cool-down (WAYMARK_CIRCUIT_COOLDOWN), sends take their fallback`);
    else if (state === 'closed') breakers.info({ provider }, `${provider} answers again: calls resume`);
  });
}
