import { Hono, type Context } from 'hono';
import type { CustomerEvent } from '../events/schema';
import type { AppDeps } from './app';
import { ApiError, type ErrorCode } from './errors';
import type { ApiMetrics } from './metrics';
import { OrderedPool, type Outcome } from './ordered-pool';
import { checkBatch, checkEvent, type EventRules } from './validation';

export type ItemResult =
  | { index: number; status: 'accepted'; messageId: string; unknownType: boolean }
  | { index: number; status: 'rejected'; messageId?: string; error: ApiError };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON body, with every way it can be unreadable mapped to a stable code. */
async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'headers.content-type', `headers.content-type is "${type.slice(0, 100)}"; send "application/json"`);
  }
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ApiError('INVALID_ENCODING', '', 'the body is not valid UTF-8; encode the JSON as UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the body, which may hold personal data: say where to look instead.
    throw new ApiError('INVALID_JSON', '', 'the body is not valid JSON; send one JSON object (check quotes, commas and brackets)');
  }
}

/** POST / (one event) and POST /batch, mounted under /v1/events. */
export function eventRoutes({ config, submit, logger, knownTypes }: AppDeps, metrics: ApiMetrics): Hono {
  const rules: EventRules = { maxFutureSkewMs: config.api.maxFutureSkewMs, knownTypes, rejectUnknownTypes: config.api.rejectUnknownTypes };
  const routes = new Hono();

  const accepted = (unknownType: boolean) => {
    metrics.accepted.inc();
    if (unknownType) metrics.unknownType.inc();
  };

  routes.post('/', async (c) => {
    const checked = checkEvent(await readJson(c), rules);
    if (!checked.ok) throw checked.error;
    await submit(checked.event);
    accepted(checked.unknownType);
    return c.json({ status: 'accepted', messageId: checked.event.messageId, unknownType: checked.unknownType }, 202);
  });

  routes.post('/batch', async (c) => {
    const items = checkBatch(await readJson(c), config.api.maxBatchSize);
    const now = Date.now();
    const pool = new OrderedPool(config.api.batchConcurrency);
    const results = await Promise.all(
      items.map(async (item, index): Promise<ItemResult> => {
        const checked = checkEvent(item, rules, ['events', index], now);
        if (!checked.ok) return { index, status: 'rejected', messageId: messageIdOf(item), error: checked.error };
        const { event, unknownType } = checked;
        const outcome = await pool.add(event.customerId, () => submit(event));
        if (outcome.status === 'done') return { index, status: 'accepted', messageId: event.messageId, unknownType };
        return { index, status: 'rejected', messageId: event.messageId, error: submitError(outcome, index, event) };
      }),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    for (const r of results) {
      if (r.status === 'accepted') accepted(r.unknownType);
      else metrics.rejected.inc({ code: r.error.code });
    }
    const counts = { accepted: results.length - rejected.length, rejected: rejected.length };
    if (rejected.length === 0) return c.json({ ...counts, results }, 202);
    logger.info({ ...counts, codes: [...new Set(rejected.map((r) => r.error.code))] }, 'batch partly refused');
    if (counts.accepted > 0) return c.json({ ...counts, results }, 207);
    const error = batchError(rejected.map((r) => r.error));
    return c.json({ ...counts, results, error }, error.status);
  });
  return routes;

  function submitError(outcome: Exclude<Outcome<void>, { status: 'done' }>, index: number, event: CustomerEvent): ApiError {
    if (outcome.status === 'failed') {
      if (outcome.error instanceof ApiError) return outcome.error;
      logger.error({ err: outcome.error, index }, 'batch item failed');
      return new ApiError('INTERNAL_ERROR', `events[${index}]`, `events[${index}] failed on the server; retry later with the same messageId`);
    }
    const code: ErrorCode = outcome.cause instanceof ApiError ? outcome.cause.code : 'INTERNAL_ERROR';
    return new ApiError(
      code,
      `events[${index}]`,
      `events[${index}] was not handed over because an earlier event of customer "${event.customerId}" in this batch failed; resend them in order`,
    );
  }
}

/** When nothing was accepted: a Temporal or server failure wins over invalid items, since retrying may help. */
function batchError(errors: ApiError[]): ApiError {
  const failure = errors.find((e) => e.code === 'TEMPORAL_UNAVAILABLE') ?? errors.find((e) => e.code === 'INTERNAL_ERROR');
  if (failure) return new ApiError(failure.code, 'events', `no event was accepted: ${failure.message}`);
  return new ApiError('BATCH_ALL_REJECTED', 'events', 'no event in events is valid; fix the items listed in results');
}

function messageIdOf(item: unknown): string | undefined {
  const id = (item as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? id.slice(0, 200) : undefined;
}
