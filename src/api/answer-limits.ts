import type { Config } from '../config';
import { clip } from './echo';
import { ApiError, type Issue } from './errors';

/**
 * Every answer has a size bound that follows from the configuration, whatever the input: at most
 * WAYMARK_API_MAX_ISSUES issues are listed per answer, a path quotes at most
 * WAYMARK_API_MAX_ECHO_CHARS of input, and a message is the fixed wording plus a few such quotes.
 * Every refusal passes through boundedError on its way out, so the bound holds even for a message
 * someone writes later.
 */

/** Fixed wording a message may add around what it quotes (the longest template is about 250 characters). */
const MESSAGE_WORDING_CHARS = 320;
/** Quotes of input one message may hold (a path is often named twice). */
const QUOTES_PER_MESSAGE = 3;
/** JSON punctuation and field names around one issue, one batch item, and an answer's envelope. */
const ISSUE_OVERHEAD_BYTES = 80;
const ITEM_OVERHEAD_BYTES = 120;
const ENVELOPE_BYTES = 160;
/** A valid messageId is at most 200 printable ASCII characters. */
const MESSAGE_ID_CHARS = 200;

export interface AnswerCaps {
  maxIssues: number;
  pathChars: number;
  messageChars: number;
}

export function answerCaps(api: Config['api']): AnswerCaps {
  return { maxIssues: api.maxIssues, pathChars: api.maxEchoChars + 1, messageChars: MESSAGE_WORDING_CHARS + QUOTES_PER_MESSAGE * (api.maxEchoChars + 1) };
}

/** `error` with at most `listed` issues and every path and message clipped to the caps. */
export function boundedError(error: ApiError, caps: AnswerCaps, listed = caps.maxIssues): ApiError {
  const fit = (issue: Issue): Issue => ({ code: issue.code, path: clip(issue.path, caps.pathChars), message: clip(issue.message, caps.messageChars) });
  const top = fit(error);
  const bounded = new ApiError(top.code, top.path, top.message, error.issues.slice(0, listed).map(fit));
  bounded.retryAfterS = error.retryAfterS;
  return bounded;
}

/**
 * The most bytes an answer can take: of a batch (every item rejected, the issue budget spent)
 * or of anything else. A clipped character is at most 3 bytes of JSON (control characters are
 * replaced before, so none becomes a 6-byte \u escape).
 */
export function answerLimitBytes(config: Config, kind: 'batch' | 'other'): number {
  const caps = answerCaps(config.api);
  const text = (chars: number) => 3 * chars + 2;
  const issue = ISSUE_OVERHEAD_BYTES + text(caps.pathChars) + text(caps.messageChars);
  const error = issue + caps.maxIssues * (issue + 1);
  if (kind === 'other') return ENVELOPE_BYTES + error;
  const item = ITEM_OVERHEAD_BYTES + text(Math.max(MESSAGE_ID_CHARS, caps.pathChars)) + issue;
  return ENVELOPE_BYTES + config.api.maxBatchSize * (item + 1) + caps.maxIssues * (issue + 1) + error;
}
