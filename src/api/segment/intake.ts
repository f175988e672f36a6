import { variableOf } from '../../config';
import type { AppDeps } from '../app';
import { clip } from '../echo';
import { ApiError, formatPath, type ErrorCode } from '../errors';
import type { ApiMetrics } from '../metrics';
import { OrderedPool } from '../ordered-pool';
import { eventDigest, messageKey, type RecentMessages, type Repeat } from '../recent-messages';
import { checkEvent, type EventRules } from '../validation';
import type { CustomerEvent } from '../../events/schema';
import { parseCall, type CallType } from './call';
import { anonymousCustomerId, type IdentityLinks } from './identity-links';
import { toCustomerEvent } from './mapping';

type Path = ReadonlyArray<PropertyKey>;

/** What became of one call; `type` is the Waymark event type it became ("alias" for a link). */
export type CallResult =
  | { index: number; status: 'accepted' | 'duplicate'; messageId: string; type: string; unknownType: boolean }
  | { index: number; status: 'rejected'; messageId?: string; error: ApiError };

/** A call checked and mapped, ready to hand over. */
interface Ready {
  index: number;
  event: CustomerEvent;
  /** Digest of the event with the sender's stated time: a resend digests alike whenever it arrives. */
  digest: string;
  unknownType: boolean;
}

export interface IntakeParts {
  deps: Pick<AppDeps, 'config' | 'submit' | 'logger'>;
  metrics: ApiMetrics;
  recent: RecentMessages;
  links: IdentityLinks;
}

/** Codes a retry of the same calls can cure: the SDK must hear a 5xx and resend. */
export const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['TEMPORAL_UNAVAILABLE', 'INTERNAL_ERROR']);

/**
 * One request's calls, from raw JSON to results. Calls are checked, linked and mapped one after
 * the other, in order (an alias or identify early in a batch decides where later calls of the
 * same anonymous id go); hand-overs then run as on /v1/events/batch: one customer's events in
 * order, customers in parallel, a messageId repeated in the batch or recently accepted by this
 * process answered as a duplicate (or refused as a conflict) without a second hand-over.
 */
export class CallBatch {
  private readonly pool: OrderedPool;
  private readonly firstOf = new Map<string, { index: number; digest: string }>();
  private readonly settled: Array<Promise<CallResult>> = [];
  private readonly receivedAt = Date.now();

  constructor(
    private readonly parts: IntakeParts,
    private readonly rules: EventRules,
  ) {
    this.pool = new OrderedPool(parts.deps.config.api.batchConcurrency);
  }

  /** Checks the call now; its hand-over runs on while the next calls are checked. */
  async add(raw: unknown, index: number, at: Path, pathType?: CallType): Promise<void> {
    const prepared = await this.prepare(raw, index, at, pathType).catch((err: unknown): CallResult => {
      if (!(err instanceof ApiError)) throw err;
      return { index, status: 'rejected', messageId: messageIdOf(raw, this.parts.deps.config.api.maxEchoChars), error: err };
    });
    this.settled.push('status' in prepared ? Promise.resolve(prepared) : this.deliver(prepared, at));
  }

  results(): Promise<CallResult[]> {
    return Promise.all(this.settled);
  }

  private async prepare(raw: unknown, index: number, at: Path, pathType: CallType | undefined): Promise<Ready | CallResult> {
    const { api } = this.parts.deps.config;
    const where = (...path: PropertyKey[]) => clip(formatPath([...at, ...path]), api.maxEchoChars);
    const rejected = (error: ApiError): CallResult => ({ index, status: 'rejected', messageId: messageIdOf(raw, api.maxEchoChars), error });
    const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
    if (bytes > api.segmentMaxCallBytes) {
      return rejected(new ApiError('BODY_TOO_LARGE', where(), `${where() || 'the call'} is ${bytes} bytes as JSON; a call may have at most ${api.segmentMaxCallBytes} (${variableOf('api.segmentMaxCallBytes')})`));
    }
    const parsed = parseCall(raw, at, pathType, api.maxEchoChars);
    if (!parsed.ok) return rejected(parsed.error);
    const { call } = parsed;
    const links = this.linksAt(where());
    if (call.type === 'alias') {
      const linked = await links.link(call.previousId!, call.userId!);
      if (linked !== call.userId) {
        return rejected(new ApiError('FIELD_INVALID', where('previousId'), `${where('previousId')} is already linked to another userId; an anonymous id is linked once, to the first user it was aliased to`));
      }
      return { index, status: 'accepted', messageId: call.messageId, type: 'alias', unknownType: false };
    }
    // A call naming both ids says they are one person, as an alias would (Segment's identify does this).
    if (call.userId && call.anonymousId) await links.link(call.anonymousId, call.userId);
    const customerId = call.userId ?? (await links.userOf(call.anonymousId!)) ?? anonymousCustomerId(call.anonymousId!);
    if (customerId.length > 200) return rejected(new ApiError('FIELD_TOO_LONG', where('anonymousId'), `${where('anonymousId')} is too long to name a customer; send at most ${200 - anonymousCustomerId('').length} characters`));
    const mapped = toCustomerEvent(call, customerId, this.receivedAt, at, { maxEchoChars: api.maxEchoChars, maxSlowClockMs: api.segmentMaxSlowClockMs });
    if (!mapped.ok) return rejected(mapped.error);
    // Only track names its type; identify, page, screen and group must never be refused as "used by no journey".
    // Only this API names anonymous visitors (anon:<anonymousId>); a userId never starts so (call.ts).
    const rules = { ...this.rules, anonymousCustomers: true, ...(call.type === 'track' ? {} : { rejectUnknownTypes: false }) };
    const checked = checkEvent(mapped.event, rules, at, this.receivedAt);
    if (!checked.ok) {
      const timeField = call.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
      return rejected(renamed(checked.error, [[where('context', 'traits'), mapped.traitsPath], [where('timestamp'), where(timeField)], [where('type'), where('event')]]));
    }
    const unknownType = checked.unknownType && call.type !== 'identify' && call.type !== 'group';
    return { index, event: checked.event, digest: eventDigest(mapped.stated), unknownType };
  }

  private async deliver({ index, event, digest, unknownType }: Ready, at: Path): Promise<CallResult> {
    const { recent, metrics } = this.parts;
    const path = clip(formatPath([...at, 'messageId']), this.parts.deps.config.api.maxEchoChars);
    const answer = (status: 'accepted' | 'duplicate'): CallResult => ({ index, status, messageId: event.messageId, type: event.type, unknownType });
    const first = this.firstOf.get(messageKey(event));
    const repeat: Repeat = first === undefined ? recent.classify(event, digest) : first.digest === digest ? 'duplicate' : 'conflict';
    if (repeat !== 'new') metrics.repeated.inc({ outcome: repeat });
    if (repeat === 'conflict') {
      const message = `${path} was accepted recently for this customer with a different call; give a new call a new messageId, and resend a call unchanged`;
      return { index, status: 'rejected', messageId: event.messageId, error: new ApiError('MESSAGE_ID_CONFLICT', path, message) };
    }
    if (first) {
      // A copy of an earlier call of this batch: recorded exactly when that one was.
      const earlier = await this.settled[first.index]!;
      if (earlier.status !== 'rejected') return answer('duplicate');
      return { index, status: 'rejected', messageId: event.messageId, error: new ApiError(earlier.error.code, path, `${path} repeats call ${first.index}, which was refused; see its error`) };
    }
    if (repeat === 'duplicate') return answer('duplicate');
    this.firstOf.set(messageKey(event), { index, digest });
    const outcome = await this.pool.add(event.customerId, () => this.parts.deps.submit(event));
    if (outcome.status === 'done') {
      recent.remember(event, digest);
      return answer('accepted');
    }
    const cause = outcome.status === 'failed' ? outcome.error : outcome.cause;
    if (!(cause instanceof ApiError)) this.parts.deps.logger.error({ err: cause, index }, 'call not handed over');
    const code: ErrorCode = cause instanceof ApiError ? cause.code : 'INTERNAL_ERROR';
    const why = outcome.status === 'skipped' ? 'an earlier call of the same customer in this request failed' : cause instanceof ApiError ? cause.message : 'the server failed';
    return { index, status: 'rejected', messageId: event.messageId, error: new ApiError(code, path, `${path} was not accepted: ${why}; resend with the same messageId`) };
  }

  /** The identity links, with a failure of the store (not of the call) as an error a retry of the same call can cure. */
  private linksAt(path: string): Pick<IdentityLinks, 'link' | 'userOf'> {
    const { links, deps } = this.parts;
    const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        deps.logger.error({ err: (err as Error).message, path }, 'identity store failed');
        throw new ApiError('INTERNAL_ERROR', path, `${path || 'the call'} was not accepted: the identity store did not answer; resend with the same messageId`);
      }
    };
    return {
      link: (anonymousId, userId) => guarded(() => links.link(anonymousId, userId)),
      userOf: (anonymousId) => guarded(() => links.userOf(anonymousId)),
    };
  }
}

/** The error with each path that starts with one of the `from` paths (and its mention in the messages) named as the call's field. */
function renamed(error: ApiError, renames: Array<[from: string, to: string]>): ApiError {
  const rename = (text: string) => {
    for (const [from, to] of renames) if (from !== to && text.includes(from)) return text.replace(from, to);
    return text;
  };
  const issues = error.issues.map((issue) => ({ ...issue, path: rename(issue.path), message: rename(issue.message) }));
  return new ApiError(error.code, rename(error.path), rename(error.message), issues);
}

function messageIdOf(raw: unknown, maxChars: number): string | undefined {
  const id = (raw as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'string' ? clip(id, maxChars) : undefined;
}
