import { Hono } from 'hono';
import type { AppDeps } from './app';
import { answerCaps, boundedError } from './answer-limits';
import { readJson, type BodyRules } from './body';
import { clip } from './echo';
import { ApiError, type ErrorCode } from './errors';
import type { ApiMetrics } from './metrics';
import { OrderedPool, type Outcome } from './ordered-pool';
import { eventDigest, RecentMessages, messageKey, type Repeat } from './recent-messages';
import { checkBatch, checkEvent, eventRules } from './validation';

export type ItemResult =
  | { index: number; status: 'accepted'; messageId: string; unknownType: boolean }
  | { index: number; status: 'duplicate'; messageId: string; unknownType: boolean }
  | { index: number; status: 'rejected'; messageId?: string; error: ApiError };

/** Batch items checked between two yields to the event loop (a few milliseconds of work). */
const CHECK_SLICE = 20;

/** POST / (one event) and POST /batch, mounted under /v1/events. */
export function eventRoutes({ config, submit, logger, knownTypes }: AppDeps, metrics: ApiMetrics): Hono {
  const { api } = config;
  const base = eventRules(config, new Set());
  const currentRules = async () => ({ ...base, knownTypes: await knownTypes() });
  const body: BodyRules = { maxBodyBytes: api.maxBodyBytes, bodyTimeoutMs: api.bodyTimeoutMs, maxJsonDepth: config.limits.maxJsonDepth, maxEchoChars: api.maxEchoChars };
  const caps = answerCaps(api);
  const recent = new RecentMessages(api.recentMessages, api.recentMessagesTtlMs);
  const routes = new Hono();

  const accepted = (unknownType: boolean) => {
    metrics.accepted.inc();
    if (unknownType) metrics.unknownType.inc();
  };
  const repeated = (repeat: Exclude<Repeat, 'new'>) => metrics.repeated.inc({ outcome: repeat });
  const conflict = (path: string) =>
    new ApiError(
      'MESSAGE_ID_CONFLICT',
      path,
      `${path} was accepted recently for this customer with a different event; give a new event a new messageId, and resend an event unchanged`,
    );

  routes.post('/', async (c) => {
    const raw = await readJson(c, body); // first: a slow body is timed from the request's start
    const rules = await currentRules();
    const checked = checkEvent(raw, rules);
    if (!checked.ok) throw checked.error;
    const { event, unknownType } = checked;
    const digest = eventDigest(event);
    const repeat = recent.classify(event, digest);
    if (repeat !== 'new') repeated(repeat);
    if (repeat === 'conflict') throw conflict('messageId');
    // Already recorded by Temporal through this process: handing it over again would only be dropped by the router.
    if (repeat === 'duplicate') return c.json({ status: 'duplicate', messageId: event.messageId, unknownType }, 200);
    await submit(event);
    recent.remember(event, digest);
    accepted(unknownType);
    return c.json({ status: 'accepted', messageId: event.messageId, unknownType }, 202);
  });

  routes.post('/batch', async (c) => {
    const raw = await readJson(c, body);
    const rules = await currentRules();
    const items = checkBatch(raw, api.maxBatchSize, rules);
    const now = Date.now();
    const pool = new OrderedPool(api.batchConcurrency);
    // Items are checked in order, each before any later one, so a messageId repeated inside the batch is seen here.
    const firstOf = new Map<string, { index: number; digest: string }>();
    const settled: Array<Promise<ItemResult>> = [];
    const handle = async (item: unknown, index: number): Promise<ItemResult> => {
      const checked = checkEvent(item, rules, ['events', index], now);
      if (!checked.ok) return { index, status: 'rejected', messageId: messageIdOf(item, api.maxEchoChars), error: checked.error };
      const { event, unknownType } = checked;
      const digest = eventDigest(event);
      const first = firstOf.get(messageKey(event));
      const repeat: Repeat = first === undefined ? recent.classify(event, digest) : first.digest === digest ? 'duplicate' : 'conflict';
      if (repeat !== 'new') repeated(repeat);
      if (repeat === 'conflict') return { index, status: 'rejected', messageId: event.messageId, error: conflict(`events[${index}].messageId`) };
      if (first) {
        // A copy of an earlier item: recorded exactly when that one was.
        const earlier = await settled[first.index]!;
        if (earlier.status !== 'rejected') return { index, status: 'duplicate', messageId: event.messageId, unknownType };
        return { index, status: 'rejected', messageId: event.messageId, error: new ApiError(earlier.error.code, `events[${index}]`, `events[${index}] repeats events[${first.index}], which was refused; see its error`) };
      }
      if (repeat === 'duplicate') return { index, status: 'duplicate', messageId: event.messageId, unknownType };
      firstOf.set(messageKey(event), { index, digest });
      const outcome = await pool.add(event.customerId, () => submit(event));
      if (outcome.status !== 'done') return { index, status: 'rejected', messageId: event.messageId, error: submitError(outcome, index) };
      recent.remember(event, digest);
      return { index, status: 'accepted', messageId: event.messageId, unknownType };
    };
    for (const [index, item] of items.entries()) {
      // Checking hundreds of items in one go would hold the event loop for tens of milliseconds: let other requests in between slices.
      if (index > 0 && index % CHECK_SLICE === 0) await new Promise((resume) => setImmediate(resume));
      settled.push(handle(item, index));
    }
    const results = await Promise.all(settled);
    const counts = { accepted: 0, duplicates: 0, rejected: 0 };
    let issueBudget = caps.maxIssues;
    for (const r of results) {
      if (r.status === 'accepted') {
        counts.accepted++;
        accepted(r.unknownType);
      } else if (r.status === 'duplicate') {
        counts.duplicates++;
      } else {
        counts.rejected++;
        metrics.rejected.inc({ code: r.error.code });
        // One issue budget for the whole answer: 500 bad items must not list 500 x maxIssues problems.
        r.error = boundedError(r.error, caps, Math.min(issueBudget, r.error.issues.length));
        issueBudget -= r.error.issues.length;
      }
    }
    if (counts.rejected === 0) return c.json({ ...counts, results }, counts.accepted > 0 ? 202 : 200);
    const rejected = results.filter((r) => r.status === 'rejected');
    logger.info({ ...counts, codes: [...new Set(rejected.map((r) => r.error.code))] }, 'batch partly refused');
    if (counts.accepted + counts.duplicates > 0) return c.json({ ...counts, results }, 207);
    const error = boundedError(batchError(rejected.map((r) => r.error)), caps);
    return c.json({ ...counts, results, error }, error.status);
  });
  return routes;

  function submitError(outcome: Exclude<Outcome<void>, { status: 'done' }>, index: number): ApiError {
    if (outcome.status === 'failed') {
      if (outcome.error instanceof ApiError) return outcome.error;
      logger.error({ err: outcome.error, index }, 'batch item failed');
      return new ApiError('INTERNAL_ERROR', `events[${index}]`, `events[${index}] failed on the server; retry later with the same messageId`);
    }
    const code: ErrorCode = outcome.cause instanceof ApiError ? outcome.cause.code : 'INTERNAL_ERROR';
    return new ApiError(code, `events[${index}]`, `events[${index}] was not handed over because an earlier event of the same customer in this batch failed; resend them in order`);
  }
}

/** When nothing was accepted: a Temporal or server failure wins over invalid items, since retrying may help. */
function batchError(errors: ApiError[]): ApiError {
  const failure = errors.find((e) => e.code === 'TEMPORAL_UNAVAILABLE') ?? errors.find((e) => e.code === 'INTERNAL_ERROR');
  if (failure) return new ApiError(failure.code, 'events', `no event was confirmed: ${failure.message}`);
  return new ApiError('BATCH_ALL_REJECTED', 'events', 'no event in events is valid; fix the items listed in results');
}

function messageIdOf(item: unknown, maxChars: number): string | undefined {
  const id = (item as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? clip(id, maxChars) : undefined;
}
