import type { z } from 'zod';
import { DEV_API_KEY, LOOPBACK } from './config-fields';
import { variableOf, type Config } from './config';

/** The checks that span settings (a value right on its own, wrong with another): each issue names the variable to change. */
export function crossChecks(config: Config, ctx: z.RefinementCtx): void {
  if (config.env === 'production' && config.temporal.payloadKeys.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['temporal', 'payloadKeys'], message: "is empty: in production customers' emails and traits must not be readable in Temporal's history. Set a key (\"k1:$(openssl rand -base64 32)\")" });
  }
  const { tls } = config.temporal;
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    const [set, missing] = tls.certFile ? ['certFile', 'keyFile'] : ['keyFile', 'certFile'];
    ctx.addIssue({ code: 'custom', path: ['temporal', 'tls', missing], message: `is empty while ${variableOf(`temporal.tls.${set}`)} is set: a client certificate (mTLS) needs both the certificate and its private key` });
  }
  if (tls.mode === 'off' && (tls.certFile || tls.caFile || config.temporal.apiKey)) {
    ctx.addIssue({ code: 'custom', path: ['temporal', 'tls', 'mode'], message: 'is "off" while a TLS certificate, CA or Temporal API key is set: they need TLS. Remove them, or set it to "auto"' });
  }
  if (config.codecServer.auth === 'none' && !LOOPBACK.test(config.codecServer.address)) {
    ctx.addIssue({ code: 'custom', path: ['codecServer', 'address'], message: 'is not a loopback address, and WAYMARK_CODEC_SERVER_AUTH is "none": anyone who reaches it could read every payload. Set WAYMARK_CODEC_SERVER_AUTH=keys, or bind it to 127.0.0.1' });
  }
  if (config.env === 'production' && config.api.apiKeys.some((k) => k.key === DEV_API_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['api', 'apiKeys'], message: `the development key "${DEV_API_KEY}" must not be used in production` });
  }
  if (config.env !== 'development' && config.env !== 'test') {
    const { minKeyChars } = config.api;
    config.api.apiKeys.forEach(({ key }, i) => {
      // Guessable keys defeat the lockout: demand length and variety (the message never shows the key).
      if (key.length < minKeyChars || new Set(key).size < Math.ceil(minKeyChars / 2)) {
        const advice = `use at least ${minKeyChars} characters with at least ${Math.ceil(minKeyChars / 2)} different ones, e.g. from "openssl rand -hex 24"`;
        ctx.addIssue({ code: 'custom', path: ['api', 'apiKeys'], message: `entry ${i + 1} is a weak key outside development: ${advice}` });
      }
    });
  }
  const { health } = config;
  if (health.watchFrom >= health.healthyFrom) ctx.addIssue({ code: 'custom', path: ['health', 'watchFrom'], message: `must be below WAYMARK_HEALTH_HEALTHY_FROM (${health.healthyFrom})` });
  if (health.quietWatchDays >= health.quietRiskDays) ctx.addIssue({ code: 'custom', path: ['health', 'quietWatchDays'], message: `must be below WAYMARK_HEALTH_QUIET_RISK_DAYS (${health.quietRiskDays})` });
  if (health.activeDays >= health.lapsedDays) ctx.addIssue({ code: 'custom', path: ['health', 'activeDays'], message: `must be below WAYMARK_LIFECYCLE_LAPSED_DAYS (${health.lapsedDays})` });
  if (config.pipeline.taskQueue === config.temporal.journeyTaskQueue) {
    ctx.addIssue({ code: 'custom', path: ['pipeline', 'taskQueue'], message: 'must differ from WAYMARK_JOURNEY_TASK_QUEUE: pipelines must never hold up journeys' });
  }
  if ([config.temporal.journeyTaskQueue, config.pipeline.taskQueue, config.sends.taskQueue].includes(config.warehouse.taskQueue)) {
    ctx.addIssue({ code: 'custom', path: ['warehouse', 'taskQueue'], message: 'must differ from the journeys, pipelines and sends task queues: the Python worker fails the tasks of activities it has not registered, and the TypeScript workers those of its own' });
  }
  if (config.braze.url && !config.braze.apiKey) {
    ctx.addIssue({ code: 'custom', path: ['braze', 'apiKey'], message: 'must be set when WAYMARK_BRAZE_URL is: a REST API key of the Braze workspace (Settings > API Keys)' });
  }
  if (config.braze.url && !config.braze.appId) {
    ctx.addIssue({ code: 'custom', path: ['braze', 'appId'], message: 'must be set when WAYMARK_BRAZE_URL is: an app identifier of the workspace (Settings > App Settings), Braze requires one on email and SMS' });
  }
  if (config.braze.url.startsWith('http://') && config.env !== 'development' && config.env !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['braze', 'url'], message: 'must be https:// outside development and test (the API key travels with every call)' });
  }
  const { reverseEtl } = config;
  if (reverseEtl.adapter === 'hightouch' && !reverseEtl.hightouch.token) {
    ctx.addIssue({ code: 'custom', path: ['reverseEtl', 'hightouch', 'token'], message: 'must be set when WAYMARK_REVERSE_ETL=hightouch: an API key of the Hightouch workspace (Settings > API keys)' });
  }
  if (reverseEtl.adapter === 'hightouch' && !reverseEtl.hightouch.syncIds.length) {
    ctx.addIssue({ code: 'custom', path: ['reverseEtl', 'hightouch', 'syncIds'], message: 'must name the syncs to run after a promotion when WAYMARK_REVERSE_ETL=hightouch (the number in a sync\'s URL in Hightouch)' });
  }
  if (reverseEtl.adapter === 'hightouch' && reverseEtl.hightouch.url.startsWith('http://') && config.env !== 'development' && config.env !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['reverseEtl', 'hightouch', 'url'], message: 'must be https:// outside development and test (the API key travels with every call)' });
  }
  if (config.content.generator === 'gemini') {
    const { apiKey, vertexProject } = config.content.gemini;
    if (!apiKey && !vertexProject) ctx.addIssue({ code: 'custom', path: ['content', 'gemini', 'apiKey'], message: 'must be set when WAYMARK_CONTENT_GENERATOR=gemini: a Gemini API key, or set WAYMARK_GEMINI_VERTEX_PROJECT for Vertex AI' });
    if (apiKey && vertexProject) ctx.addIssue({ code: 'custom', path: ['content', 'gemini', 'vertexProject'], message: 'must be empty when WAYMARK_GEMINI_API_KEY is set: choose API-key mode or Vertex AI mode' });
    // Every call and wait of one send's generation happens inside its delivery activity.
    const { timeoutMs, retries, retryMaxWaitMs } = config.content;
    if (timeoutMs * (retries + 1) + retryMaxWaitMs * retries >= config.activity.startToCloseMs) {
      ctx.addIssue({ code: 'custom', path: ['content', 'timeoutMs'], message: 'with WAYMARK_CONTENT_RETRIES and WAYMARK_CONTENT_RETRY_MAX_WAIT, must leave time in WAYMARK_ACTIVITY_START_TO_CLOSE for the send itself' });
    }
  }
  if (config.content.gemini.baseUrl.startsWith('http://') && config.env !== 'development' && config.env !== 'test') {
    ctx.addIssue({ code: 'custom', path: ['content', 'gemini', 'baseUrl'], message: 'must be https:// outside development and test (the API key and customer data travel with every call)' });
  }
  if (config.api.headersTimeoutMs > config.api.requestTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['api', 'headersTimeoutMs'], message: 'must not be longer than WAYMARK_API_REQUEST_TIMEOUT (the whole request includes its headers)' });
  }
  if (config.results.warehouseTimeoutMs >= config.api.requestTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['results', 'warehouseTimeoutMs'], message: 'must be shorter than WAYMARK_API_REQUEST_TIMEOUT: a results request that waits for the warehouse must still answer (without the warehouse KPIs)' });
  }
}
