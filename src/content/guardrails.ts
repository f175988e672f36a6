import { variableOf, type Config } from '../config';
import type { ChannelName, RenderedContent } from '../channels/port';
import { findPlaceholder } from '../templates/placeholders';
import { writtenFields } from './fields';
import type { GeneratedContent, GeneratedField } from './port';

export type ContentSettings = Config['content'];

type LimitSetting = 'maxSubjectChars' | 'maxEmailTextChars' | 'maxSmsChars' | 'maxTitleChars' | 'maxBodyChars';
/** The setting that limits each field a model writes. */
const LIMITS: Record<ChannelName, Partial<Record<GeneratedField, LimitSetting>>> = {
  email: { subject: 'maxSubjectChars', preheader: 'maxSubjectChars', text: 'maxEmailTextChars' },
  sms: { text: 'maxSmsChars' },
  push: { title: 'maxTitleChars', body: 'maxBodyChars' },
  in_app: { title: 'maxTitleChars', body: 'maxBodyChars' },
};

/** The longest each of the channel's fields may be (WAYMARK_CONTENT_MAX_*). */
export function maxCharsFor(channel: ChannelName, settings: ContentSettings): Partial<Record<GeneratedField, number>> {
  return Object.fromEntries(Object.entries(LIMITS[channel]).map(([field, setting]) => [field, settings[setting]]));
}

/** http(s) links, without the punctuation that ends a sentence after one. */
const LINK = /https?:\/\/[^\s<>"'`]+/g;
export function linksIn(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) => m[0].replace(/[.,;:!?)\]]+$/, ''));
}

/**
 * The first rule generated content breaks, as a sentence, or undefined when it keeps them all:
 * - no banned phrase (WAYMARK_CONTENT_BANNED_PHRASES, any case);
 * - no field longer than its limit (WAYMARK_CONTENT_MAX_*);
 * - no placeholder left: Liquid ("{{", "}}", "{%", "%}") or another tool's merge tags;
 * - the same links as the template: none dropped (an unsubscribe link must stay), none invented.
 */
export function guardrailBreach(content: GeneratedContent, baseline: RenderedContent, settings: ContentSettings): string | undefined {
  const fields = Object.entries(writtenFields(content)) as Array<[GeneratedField, string]>;
  for (const [name, value] of fields) {
    const lower = value.toLowerCase();
    const banned = settings.bannedPhrases.find((phrase) => lower.includes(phrase.toLowerCase()));
    if (banned) return `the ${name} contains the banned phrase "${banned}" (WAYMARK_CONTENT_BANNED_PHRASES)`;
    const chars = [...value].length;
    const setting = LIMITS[content.channel][name];
    if (setting && chars > settings[setting]) return `the ${name} is ${chars} characters, more than ${variableOf(`content.${setting}`)}=${settings[setting]}`;
    const left = findPlaceholder(value) ?? closingDelimiter(value);
    if (left) return `the ${name} still holds ${left.what} ("${left.found}", row ${left.row})`;
  }
  const written = new Set(fields.flatMap(([, value]) => linksIn(value)));
  const kept = new Set(Object.values(writtenFields(baseline)).flatMap((value) => linksIn(value)));
  const invented = [...written].find((link) => !kept.has(link));
  if (invented) return `it links to ${invented}, which the template does not`;
  const dropped = [...kept].find((link) => !written.has(link));
  if (dropped) return `it drops the template's link ${dropped}`;
  return undefined;
}

/** Closing Liquid delimiters: the template check skips them (CSS has "}}"), generated text has no CSS. */
function closingDelimiter(text: string): { what: string; found: string; row: number } | undefined {
  const match = /\}\}|%\}/.exec(text);
  if (!match) return undefined;
  return { what: `a Liquid delimiter "${match[0]}"`, found: text.slice(Math.max(0, match.index - 20), match.index + 2).split('\n').pop()!, row: text.slice(0, match.index).split('\n').length };
}
