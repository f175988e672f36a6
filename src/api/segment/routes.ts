import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { variableOf } from '../../config';
import type { AppDeps } from '../app';
import { answerCaps, boundedError } from '../answer-limits';
import type { BodyRules } from '../body';
import { ApiError } from '../errors';
import type { ApiMetrics } from '../metrics';
import { RecentMessages } from '../recent-messages';
import { eventRules } from '../validation';
import { readCallJson } from './body';
import { CALL_TYPES, type CallType } from './call';
import { IdentityLinks } from './identity-links';
import { CallBatch, RETRYABLE, type CallResult } from './intake';

/** Calls checked between two yields to the event loop (a few milliseconds of work). */
const CHECK_SLICE = 20;

/** The /v1/batch envelope; `writeKey`, `integrations` and any other member are ignored (the key comes from the header). */
const Envelope = z.object({
  batch: z.array(z.unknown()),
  sentAt: z.iso.datetime({ offset: true }).nullish(),
  context: z.record(z.string(), z.unknown()).nullish(),
});
const ENVELOPE_RULES: Record<string, string> = {
  batch: 'must be an array of calls',
  sentAt: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-21T09:30:00Z"',
  context: 'must be a JSON object',
};

/**
 * The Segment HTTP tracking API's endpoints, mounted under /v1 beside /v1/events:
 * /v1/{identify,track,page,screen,group,alias} take one call, /v1/call one call of any type,
 * /v1/batch many (what the Segment and RudderStack Node SDKs post). See docs/segment-rudderstack.md.
 */
export function segmentRoutes(deps: AppDeps, metrics: ApiMetrics): Hono {
  const { config, knownTypes, logger, store } = deps;
  const { api } = config;
  const body: BodyRules = { maxBodyBytes: api.maxBodyBytes, bodyTimeoutMs: api.bodyTimeoutMs, maxJsonDepth: config.limits.maxJsonDepth, maxEchoChars: api.maxEchoChars };
  const caps = answerCaps(api);
  const parts = { deps, metrics, recent: new RecentMessages(api.recentMessages, api.recentMessagesTtlMs), links: new IdentityLinks(store, api.aliasCacheSize, api.aliasCacheTtlMs) };
  const newBatch = async () => new CallBatch(parts, eventRules(config, await knownTypes()));
  const routes = new Hono();

  const counted = (results: CallResult[]) => {
    const counts = { accepted: 0, duplicates: 0, rejected: 0 };
    for (const r of results) {
      if (r.status === 'accepted') {
        counts.accepted++;
        if (r.type !== 'alias') metrics.accepted.inc();
        if (r.unknownType) metrics.unknownType.inc();
      } else if (r.status === 'duplicate') counts.duplicates++;
      else counts.rejected++;
    }
    return counts;
  };

  const answerOne = async (c: Context, pathType: CallType | undefined) => {
    const raw = await readCallJson(c, body, { maxBytes: api.segmentMaxCallBytes, setting: 'api.segmentMaxCallBytes' });
    const batch = await newBatch();
    await batch.add(raw, 0, [], pathType);
    const [result] = await batch.results();
    counted([result!]);
    if (result!.status === 'rejected') throw result!.error;
    const { status, messageId, type, unknownType } = result!;
    return c.json({ status, messageId, type, unknownType }, status === 'accepted' ? 202 : 200);
  };
  for (const type of CALL_TYPES) routes.post(`/${type}`, (c) => answerOne(c, type));

  // One call of any type, its type read from the body: for destinations that post every call to one URL.
  routes.post('/call', async (c) => answerOne(c, undefined));

  routes.post('/batch', async (c: Context) => {
    const raw = await readCallJson(c, body, { maxBytes: api.segmentMaxBatchBytes, setting: 'api.segmentMaxBatchBytes' });
    const envelope = Envelope.safeParse(raw);
    if (!envelope.success) {
      const issue = envelope.error.issues[0]!;
      const path = String(issue.path[0] ?? 'batch');
      const missing = (raw as Record<string, unknown> | null)?.[path] === undefined;
      throw new ApiError(missing ? 'FIELD_REQUIRED' : issue.code === 'invalid_type' ? 'FIELD_TYPE' : 'FIELD_FORMAT', path, `${path} ${ENVELOPE_RULES[path]}`);
    }
    const { batch: calls, sentAt, context } = envelope.data;
    if (calls.length === 0) throw new ApiError('BATCH_EMPTY', 'batch', `batch is empty; send between 1 and ${api.maxBatchSize} calls`);
    if (calls.length > api.maxBatchSize) throw new ApiError('BATCH_TOO_LARGE', 'batch', `batch has ${calls.length} calls; send at most ${api.maxBatchSize} per request (${variableOf('api.maxBatchSize')})`);
    const batch = await newBatch();
    for (const [index, call] of calls.entries()) {
      // Checking hundreds of calls in one go would hold the event loop for tens of milliseconds: let other requests in between slices.
      if (index > 0 && index % CHECK_SLICE === 0) await new Promise((resume) => setImmediate(resume));
      await batch.add(withEnvelope(call, sentAt ?? undefined, context ?? undefined), index, ['batch', index]);
    }
    const results = await batch.results();
    const counts = counted(results);
    let issueBudget = caps.maxIssues;
    const answered = results.map((r) => {
      if (r.status !== 'rejected') return r;
      metrics.rejected.inc({ code: r.error.code });
      // One issue budget for the whole answer: 500 bad calls must not list 500 x maxIssues problems.
      const error = boundedError(r.error, caps, Math.min(issueBudget, r.error.issues.length));
      issueBudget -= error.issues.length;
      return { ...r, error };
    });
    if (counts.rejected === 0) return c.json({ ...counts, results: answered }, counts.accepted > 0 ? 202 : 200);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.error);
    logger.info({ ...counts, codes: [...new Set(refused.map((e) => e.code))] }, 'segment batch partly refused');
    // SDKs treat any 2xx as delivered and drop the batch: while a retry could still deliver a call, they must hear a 5xx and resend it all.
    const retryable = refused.find((e) => e.code === 'TEMPORAL_UNAVAILABLE') ?? refused.find((e) => RETRYABLE.has(e.code));
    if (retryable) {
      const error = boundedError(new ApiError(retryable.code, 'batch', `not every call was accepted (${retryable.message}); resend the whole batch unchanged: calls already accepted are recognised by their messageId`), caps);
      if (error.status === 503) c.header('Retry-After', '1');
      return c.json({ ...counts, results: answered, error }, error.status);
    }
    if (counts.accepted + counts.duplicates > 0) return c.json({ ...counts, results: answered }, 207);
    const error = boundedError(new ApiError('BATCH_ALL_REJECTED', 'batch', 'no call in batch is valid; fix the calls listed in results'), caps);
    return c.json({ ...counts, results: answered, error }, error.status);
  });
  return routes;
}

/** A call with the batch's `sentAt` and `context` as defaults (Segment's batch-level fields); the call's own win. */
function withEnvelope(call: unknown, sentAt: string | undefined, context: Record<string, unknown> | undefined): unknown {
  if (call === null || typeof call !== 'object' || Array.isArray(call)) return call;
  const own = call as Record<string, unknown>;
  const ownContext = own.context;
  const mergeable = ownContext === undefined || ownContext === null || (typeof ownContext === 'object' && !Array.isArray(ownContext));
  return {
    ...(sentAt !== undefined ? { sentAt } : {}),
    ...own,
    ...(context && mergeable ? { context: { ...context, ...(ownContext as object | null) } } : {}),
  };
}
