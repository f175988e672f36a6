import type { RenderedContent } from '../channels/port';
import { variableOf } from '../config';
import { liquidProblem, type Engines } from './liquid';
import { findPlaceholder } from './placeholders';
import { contentFields, type Template } from './schema';
import { liquidScope, type TemplateVariables } from './variables';

/** A template that cannot be rendered for this customer; retrying will not help until the data or the template changes. */
export class TemplateRenderError extends Error {
  readonly code = 'TEMPLATE_RENDER';
  constructor(
    readonly templateId: string,
    readonly field: string,
    message: string,
  ) {
    super(`template "${templateId}", field ${field}: ${message}`);
    this.name = 'TemplateRenderError';
  }
}

function renderField(template: Template, field: ReturnType<typeof contentFields>[number], scope: Record<string, unknown>, liquid: Engines): string {
  const engine = field.html ? liquid.html : liquid.text;
  let text: string;
  try {
    text = engine.parseAndRenderSync(field.source, scope);
  } catch (err) {
    const { message, row } = liquidProblem(err);
    const where = row ? ` (row ${row} of the field)` : '';
    const missing = /^undefined variable: (\S+)/.exec(message)?.[1];
    const advice = missing
      ? `this customer has no "${missing}"${where}; give it a fallback with | default: "...", or wrap it in {% if ${missing} %}`
      : /^template render limit exceeded/.test(message)
        ? `${message}${where}: a loop runs too long (${variableOf('templates.renderLimitMs')} bounds one render); loop over less`
        : /^memory alloc limit exceeded/.test(message)
          ? `${message}${where}: the render makes too much text or too long a list or range (${variableOf('templates.memoryLimit')} bounds one field); loop over less, or print less in the loop`
          : `${message}${where}`;
    throw new TemplateRenderError(template.id, field.name, advice);
  }
  const left = findPlaceholder(text);
  if (left) {
    throw new TemplateRenderError(template.id, field.name, `the rendered text still holds ${left.what} ("${left.found}", row ${left.row}): a variable's value carries a placeholder; fix that customer's data`);
  }
  return text;
}

/**
 * Renders every content field of `template` for one customer. Throws TemplateRenderError when a
 * variable the template reads without a `default` is missing, when a required field renders
 * empty, when the output still holds a placeholder (nothing half-filled is ever sent), or when a
 * render goes past a limit: its time, its memory, or the channel's message size.
 */
export function renderTemplate(template: Template, variables: TemplateVariables, liquid: Engines): RenderedContent {
  const scope = liquidScope(variables);
  const out: Record<string, string> = {};
  const maxBytes = liquid.maxOutputBytes[template.channel];
  let bytes = 0;
  for (const field of contentFields(template)) {
    const text = renderField(template, field, scope, liquid);
    // An optional field (a preheader, an in-app title) that renders empty is left out; a required one must say something.
    if (!text.trim()) {
      if (field.optional) continue;
      throw new TemplateRenderError(template.id, field.name, 'renders empty for this customer; give its variables a | default: "..."');
    }
    out[field.name] = field.html ? text : field.line ? text.replace(/\s+/g, ' ').trim() : text.trim();
    bytes += Buffer.byteLength(out[field.name]!);
    if (bytes > maxBytes) {
      const variable = variableOf(`templates.maxOutputBytes.${template.channel}`);
      throw new TemplateRenderError(template.id, field.name, `the ${template.channel} message comes to ${bytes} bytes with this field, over ${variable} (${maxBytes}); shorten the template, or print less for a customer like this one`);
    }
  }
  switch (template.channel) {
    case 'email':
      return { channel: 'email', subject: out.subject!, ...(out.preheader ? { preheader: out.preheader } : {}), html: out.html!, text: out.text! };
    case 'sms':
      return { channel: 'sms', text: out.text! };
    case 'push':
      return { channel: 'push', title: out.title!, body: out.body! };
    case 'in_app':
      return { channel: 'in_app', ...(out.title ? { title: out.title } : {}), body: out.body! };
  }
}
