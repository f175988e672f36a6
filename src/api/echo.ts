/**
 * What the API may quote back from its input. A caller controls field names, paths and ids, so
 * anything quoted in an answer or a log line is cut to a configured length (answers stay small
 * whatever the input) and stripped of characters that could forge log lines or drive a terminal.
 */

import { redactContacts } from '../redact';

/** Control characters, line separators and lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` safe to quote: unsafe characters replaced by U+FFFD, and at most `max` characters (then "…"). */
export function clip(text: string, max: number): string {
  const cut = text.length > max;
  const safe = (cut ? text.slice(0, max) : text).replace(UNSAFE, '\ufffd');
  return cut ? `${safe}…` : safe;
}

/**
 * A request path as it may appear in a log line: percent-decoded (so %40 is seen as @), redacted
 * and clipped. Only a window a little longer than what is kept is examined, so a 15 KB path costs
 * no more than a short one, and an address cut at the window's edge is still recognised.
 */
export function loggablePath(path: string, max: number): string {
  const window = path.slice(0, 4 * max + 320);
  let decoded = window;
  try {
    decoded = decodeURIComponent(window);
  } catch {
    // a malformed escape (or one cut by the window): redact the raw text
  }
  return clip(redactContacts(decoded), max);
}
