/**
 * Placeholders that must never reach a customer: Liquid left unrendered (from a variable's value,
 * say a trait imported as "Hi {{name}}"), and the merge tags of other tools a template may have
 * been copied from. Closing delimiters are not searched for: "}}" is common in inline CSS.
 */
const PATTERNS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /\{\{/, what: 'a Liquid output "{{"' },
  { pattern: /\{%/, what: 'a Liquid tag "{%"' },
  { pattern: /\$\{\s*[A-Za-z_][\w.]*\s*\}/, what: 'a Braze "${name}" attribute' },
  { pattern: /\*\|[A-Z0-9_:]+\|\*/, what: 'a Mailchimp "*|NAME|*" merge tag' },
  { pattern: /%%[A-Za-z_][\w]*%%/, what: 'a Salesforce "%%name%%" personalisation string' },
];

/** The first placeholder in `text` and its 1-based row, or undefined when there is none. */
export function findPlaceholder(text: string, kinds: 'all' | 'foreign' = 'all'): { what: string; found: string; row: number } | undefined {
  const patterns = kinds === 'all' ? PATTERNS : PATTERNS.slice(2);
  let first: { what: string; found: string; index: number } | undefined;
  for (const { pattern, what } of patterns) {
    const match = pattern.exec(text);
    if (match && (!first || match.index < first.index)) first = { what, found: text.slice(match.index, match.index + 40).split('\n')[0]!, index: match.index };
  }
  if (!first) return undefined;
  return { what: first.what, found: first.found, row: text.slice(0, first.index).split('\n').length };
}
