import type { Config } from '../config';
import type { PipelineSettings } from '../../workflows/pipeline/contract';

/** The pipeline settings a run carries in its input. */
export function pipelineSettings(config: Config): PipelineSettings {
  const p = config.pipeline;
  return {
    stepTimeoutMs: p.stepTimeoutMs,
    heartbeatTimeoutMs: p.heartbeatTimeoutMs,
    retryInitialMs: p.retryInitialMs,
    retryMaxIntervalMs: p.retryMaxIntervalMs,
    retryMaxAttempts: p.retryMaxAttempts,
  };
}
