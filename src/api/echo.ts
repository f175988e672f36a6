/**
 * What the API may quote back from its input. A caller controls field names, paths and ids, so
 * anything quoted in an answer or a log line is cut to a configured length (answers stay small
 * whatever the input) and stripped of characters that could forge log lines or drive a terminal.
 */

/** Control characters, line separators and lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` safe to quote: unsafe characters replaced by U+FFFD, and at most `max` characters (then "…"). */
export function clip(text: string, max: number): string {
  const cut = text.length > max;
  const safe = (cut ? text.slice(0, max) : text).replace(UNSAFE, '\ufffd');
  return cut ? `${safe}…` : safe;
}

/** Bounded repetitions keep matching linear: an unbounded `[^@]+@` rescans the rest of the text from every position. */
const EMAIL_LIKE = /[^\s@/]{1,64}@[^\s@/]{1,255}/g;
/** Seven digits or more, optionally after "+" and with spaces, dots, dashes or brackets between: phone numbers, and anything that looks like one. */
const PHONE_LIKE = /\+?\d[\d ().-]{5,30}\d/g;

/**
 * `text` with email- and phone-like parts replaced, for log lines that quote input (a field
 * named "jane@example.com", a path /v1/customers/+14155550123). Over-redacting a long number is
 * the price of never logging a contact detail; answers are not redacted (they go back to the sender).
 */
export function redact(text: string): string {
  // Most paths have neither an "@" nor a digit run: skip the regular expressions then.
  const emailSafe = text.includes('@') ? text.replace(EMAIL_LIKE, '[email]') : text;
  return /\d/.test(emailSafe) ? emailSafe.replace(PHONE_LIKE, '[phone]') : emailSafe;
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
  return clip(redact(decoded), max);
}
