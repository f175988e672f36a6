import { z } from 'zod';

/**
 * The template file format: one template per file, for one channel. The Liquid inside the
 * content fields is checked by validate.ts; this file checks shape only.
 */

/** The same names a journey's send step accepts in `template` (src/journey/schema.ts). */
export const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Top-level names the renderer provides itself; a trait cannot be declared under one of them. */
export const RESERVED_NAMES = ['contact', 'customer', 'event', 'journey'] as const;

const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'must be a variable name: a letter or "_", then letters, digits or "_"');

const declared = z.array(variableName).refine((names) => new Set(names).size === names.length, { message: 'names a variable twice' });

/** What the template may read beyond the fixed variables: profile traits and the triggering event's properties. */
const Variables = z.strictObject({
  traits: declared
    .refine((names) => !names.some((n) => (RESERVED_NAMES as readonly string[]).includes(n)), {
      message: `must not name ${RESERVED_NAMES.join(', ')}: those are provided by Waymark (see docs/templates.md)`,
    })
    .default([]),
  event: declared.default([]),
});

const content = z.string().refine((s) => s.trim().length > 0, { message: 'must not be empty' });

const common = {
  id: z.string().regex(TEMPLATE_ID, 'must be a template name: a letter or digit, then letters, digits, "_", "." or "-" (at most 128)'),
  description: z.string().max(2_000).optional(),
  variables: Variables.default({ traits: [], event: [] }),
};

const Email = z.strictObject({ ...common, channel: z.literal('email'), subject: content, preheader: content.optional(), html: content, text: content });
const Sms = z.strictObject({ ...common, channel: z.literal('sms'), text: content });
const Push = z.strictObject({ ...common, channel: z.literal('push'), title: content, body: content });
const InApp = z.strictObject({ ...common, channel: z.literal('in_app'), title: content.optional(), body: content });

export const TemplateSchema = z.discriminatedUnion('channel', [Email, Sms, Push, InApp]);
/** A validated template. */
export type Template = z.infer<typeof TemplateSchema>;
export type TemplateChannel = Template['channel'];

/**
 * The Liquid fields of each channel, in the order a person reads them. `html` fields escape what
 * variables print; `optional` ones may render empty; `line` ones are one line (a subject, a title):
 * a line break from a value must not split them.
 */
interface ContentField {
  name: string;
  html?: true;
  optional?: true;
  line?: true;
}
export const CONTENT_FIELDS: Record<TemplateChannel, readonly ContentField[]> = {
  email: [{ name: 'subject', line: true }, { name: 'preheader', optional: true, line: true }, { name: 'html', html: true }, { name: 'text' }],
  sms: [{ name: 'text' }],
  push: [{ name: 'title', line: true }, { name: 'body' }],
  in_app: [{ name: 'title', optional: true, line: true }, { name: 'body' }],
};

/** The Liquid source of each content field the template has. */
export function contentFields(template: Template): Array<{ name: string; html: boolean; optional: boolean; line: boolean; source: string }> {
  const values = template as unknown as Record<string, unknown>;
  return CONTENT_FIELDS[template.channel].flatMap(({ name, html, optional, line }) => {
    const source = values[name];
    return typeof source === 'string' ? [{ name, html: html ?? false, optional: optional ?? false, line: line ?? false, source }] : [];
  });
}

/** A template as it is published and rendered: the validated definition and its content hash. */
export interface PublishedTemplate {
  readonly definition: Template;
  readonly version: string;
}
