/**
 * Text from customers' data (ids, event types, attribute values) shown in the Temporal UI's
 * summaries and details, which the UI renders as Markdown: escaped so it reads as written and
 * can never become a link, an image or HTML. Pure: workflow code uses it.
 */
/** Characters that make emphasis, code, links, images, tables or HTML (user text never starts a line here); others stay readable. */
const SPECIAL = /[\\`*_[\]|<>~&]/g;
const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

export function md(text: unknown, maxChars = 200): string {
  const raw = String(text);
  const cut = raw.length > maxChars ? `${raw.slice(0, maxChars)}…` : raw;
  return cut.replace(/[\r\n]+/g, ' ').replace(SPECIAL, (c) => ENTITY[c] ?? `\\${c}`);
}
