import { z } from 'zod';
import type { ChannelName, RenderedContent } from '../channels/port';
import type { GeneratedContent, GeneratedField } from './port';

interface FieldSpec {
  name: GeneratedField;
  optional?: true;
  /** One line (a subject, a title): line breaks become spaces, as when a template renders. */
  line?: true;
  /** What the field is, as the model is told. */
  says: string;
}

/** The fields a model writes per channel, in reading order (the template's fields minus html). */
export const GENERATED_FIELDS: Record<ChannelName, readonly FieldSpec[]> = {
  email: [
    { name: 'subject', line: true, says: 'the subject line, one line' },
    { name: 'preheader', optional: true, line: true, says: 'the preview text shown after the subject, one line' },
    { name: 'text', says: 'the body as plain text, paragraphs separated by a blank line' },
  ],
  sms: [{ name: 'text', says: 'the text message' }],
  push: [
    { name: 'title', line: true, says: 'the notification title, one line' },
    { name: 'body', says: 'the notification text' },
  ],
  in_app: [
    { name: 'title', optional: true, line: true, says: 'the message title, one line' },
    { name: 'body', says: 'the message text' },
  ],
};

const text = z.string().trim().min(1, 'must not be empty');
const line = text.transform((s) => s.replace(/\s+/g, ' '));

/** The zod schema of a model's answer for one channel: the single check of its shape. */
export function generatedSchema(channel: ChannelName): z.ZodType<GeneratedContent> {
  const shape = Object.fromEntries(GENERATED_FIELDS[channel].map((f) => {
    const field = f.line ? line : text;
    return [f.name, f.optional ? field.optional() : field];
  }));
  return z.object(shape).transform((fields) => ({ channel, ...fields }) as GeneratedContent);
}

/** The fields of rendered content a model would write, by name (a template's baseline, minus html). */
export function writtenFields(content: RenderedContent | GeneratedContent): Partial<Record<GeneratedField, string>> {
  const out: Partial<Record<GeneratedField, string>> = {};
  const values = content as Partial<Record<GeneratedField, string>>;
  for (const { name } of GENERATED_FIELDS[content.channel]) if (values[name] !== undefined) out[name] = values[name];
  return out;
}
