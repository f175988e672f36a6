import fs from 'node:fs';
import path from 'node:path';
import type { Journey } from '../../src/journey/schema';
import type { Template, TemplateChannel } from '../../src/templates/schema';
import type { TemplateStore } from '../../src/templates/template-store';
import { sealTemplate } from '../../src/templates/validate';

/**
 * A send without content fails for good, so journeys under test get their content as a designer
 * would give it: a plain template per send step (and fallback) for the step's channel.
 */

/** Plain content for one channel. */
function plainTemplate(id: string, channel: TemplateChannel): Template {
  const variables = { traits: [], event: [] };
  const text = `${id} for {{ customer.id }}`;
  switch (channel) {
    case 'email':
      return { id, channel, variables, subject: id, html: `<p>${text}</p>`, text };
    case 'sms':
      return { id, channel, variables, text };
    case 'push':
      return { id, channel, variables, title: id, body: text };
    case 'in_app':
      return { id, channel, variables, body: text };
  }
}

type SendLike = { kind?: unknown; channel?: unknown; template?: unknown; fallback?: unknown };

/** The templates a journey's send steps name, each with its channel (a definition or a test's raw object). */
function sentTemplates(journey: Journey | Record<string, unknown>): Map<string, TemplateChannel> {
  const found = new Map<string, TemplateChannel>();
  for (const step of Object.values((journey.steps ?? {}) as Record<string, SendLike>)) {
    if (step.kind !== 'send') continue;
    for (const sent of [step, ...((step.fallback as SendLike[] | undefined) ?? [])]) found.set(String(sent.template), sent.channel as TemplateChannel);
  }
  return found;
}

/** Publishes a plain template for every send step of `journeys` whose template is not published yet. */
export async function publishContentFor(templates: TemplateStore, journeys: Array<Journey | Record<string, unknown>>): Promise<void> {
  const published = new Set((await templates.states()).map((s) => s.templateId));
  for (const journey of journeys) {
    for (const [id, channel] of sentTemplates(journey)) {
      if (published.has(id)) continue;
      await templates.publish(sealTemplate(plainTemplate(id, channel)), 'test', 'test');
      published.add(id);
    }
  }
}

/** The shipped journeys' own templates (they are loaded beside any journeys folder). */
const SHIPPED_TEMPLATES = path.join(__dirname, '../../journeys/templates');

/**
 * A journeys folder's "templates": the shipped templates, the test's own template files (by file
 * name, each named after its template id), and a plain one for every other send step of `journeys`.
 */
export function writeContentFor(dir: string, journeys: Array<Record<string, unknown>>, files: Record<string, string> = {}): void {
  fs.cpSync(SHIPPED_TEMPLATES, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const given = new Set(Object.keys(files).map((name) => name.replace(/\.(json|ya?ml)$/, '')));
  for (const journey of journeys) {
    for (const [id, channel] of sentTemplates(journey)) {
      if (!given.has(id)) fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(plainTemplate(id, channel)));
    }
  }
}
