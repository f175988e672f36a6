import { linksIn } from './guardrails';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** One line of text as HTML: escaped, with its links made clickable. */
function lineHtml(line: string): string {
  let out = '';
  let rest = line;
  for (const link of linksIn(line)) {
    const at = rest.indexOf(link);
    out += `${escape(rest.slice(0, at))}<a href="${escape(link)}">${escape(link)}</a>`;
    rest = rest.slice(at + link.length);
  }
  return out + escape(rest);
}

/**
 * The HTML body of a generated email, from its text body: a paragraph per blank-line-separated
 * block, line breaks kept, everything escaped, links clickable. The model never writes HTML, so
 * nothing it says can become markup, and the HTML and text parts always say the same.
 */
export function htmlFromText(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => `<p>${block.split('\n').map(lineHtml).join('<br>\n')}</p>`)
    .join('\n');
}
