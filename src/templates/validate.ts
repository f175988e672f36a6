import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Config } from '../config';
import { canonicalJson } from '../journey/canonical-json';
import type { ValidationIssue } from '../journey/validate';
import { BRAZE_ONLY_TAGS, FILTERS, liquidProblem, TAGS, type Engines, type LiquidLimits } from './liquid';
import { findPlaceholder } from './placeholders';
import { contentFields, TemplateSchema, type PublishedTemplate, type Template } from './schema';
import { variableProblem } from './variables';

/** An issue inside a content field also carries its row there, so a file can name the exact line. */
export type TemplateIssue = ValidationIssue & { row?: number };

export type TemplateValidation =
  | { ok: true; template: Template; warnings: TemplateIssue[] }
  | { ok: false; issues: TemplateIssue[]; warnings: TemplateIssue[] };

export type TemplateLimits = LiquidLimits;

export function templateLimits(config: Config): TemplateLimits {
  const { renderLimitMs, memoryLimit, maxFileBytes, maxOutputBytes } = config.templates;
  return { renderLimitMs, memoryLimit, maxFileBytes, maxOutputBytes };
}

/** The version of a template: the first 12 hex digits of the SHA-256 of its canonical JSON (as for journeys). */
export function sealTemplate(template: Template): PublishedTemplate {
  return Object.freeze({ definition: template, version: createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 12) });
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.discriminator) return 'is not a known channel; use one of "email", "sms", "push", "in_app"';
  if (issue.code === 'unrecognized_keys') return `${issue.message}; remove it or check its spelling (docs/templates.md lists the fields of each channel)`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return issue.message;
}

/** The field an issue is about; an unknown key is its own field, so its line can be named. */
function pathOf(issue: z.core.$ZodIssue): string {
  const keys = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0]!] : issue.path;
  return keys.join('.');
}

/** Why a liquidjs parse failed, said so an author knows what to change. */
function parseMessage(message: string): string {
  const tag = /^tag "([^"]+)" not found/.exec(message)?.[1];
  if (tag && BRAZE_ONLY_TAGS.includes(tag)) return `the Braze-only tag "${tag}" is not supported here; remove it (docs/templates.md#liquid-subset)`;
  if (tag) return `unknown tag "${tag}"; the tags allowed are ${TAGS.filter((t) => t !== '#').join(', ')}`;
  const filter = /^undefined filter: (\S+)/.exec(message)?.[1];
  if (filter) return `unknown filter "${filter}"; the filters allowed are ${FILTERS.join(', ')}`;
  return `is not valid Liquid: ${message}`;
}

/** liquidjs parses and analyses nested tags by recursion: tags nested thousands deep overflow the stack (a RangeError, which a parse wraps). */
function overflowed(err: unknown): boolean {
  return err instanceof RangeError || (err as { originalError?: unknown } | undefined)?.originalError instanceof RangeError;
}

/** Every problem of one content field: foreign placeholders, Liquid syntax, unknown tags, filters and variables. */
function fieldIssues(name: string, source: string, html: boolean, declared: Template['variables'], liquid: Engines, used: Set<string>): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const foreign = findPlaceholder(source, 'foreign');
  if (foreign) issues.push({ path: name, row: foreign.row, message: `holds ${foreign.what} ("${foreign.found}"), which would reach customers as it is; write it in Liquid, e.g. {{ first_name | default: "there" }}` });
  const engine = html ? liquid.html : liquid.text;
  let globals;
  try {
    ({ globals } = engine.analyzeSync(engine.parse(source), { partials: false }));
  } catch (err) {
    // A foreign placeholder inside {{ }} (Braze's {{${first_name}}}) also fails to parse: one issue says it.
    if (foreign) return issues;
    if (overflowed(err)) return [{ path: name, message: 'nests tags too deeply to be read; write it with fewer levels' }];
    const { message, row } = liquidProblem(err);
    return [{ path: name, ...(row ? { row } : {}), message: parseMessage(message) }];
  }
  for (const variables of Object.values(globals)) {
    for (const variable of variables) {
      const segments = variable.segments;
      const problem = variableProblem(segments, declared);
      if (problem) issues.push({ path: name, row: variable.location.row, message: problem });
      else used.add(segments[0] === 'event' ? `event:${String(segments[1])}` : `traits:${String(segments[0])}`);
    }
  }
  return issues;
}

/** Checks shape, then each content field's Liquid. Returns every problem, each with its field (and row in it). */
export function validateTemplate(input: unknown, liquid: Engines): TemplateValidation {
  const parsed = TemplateSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: pathOf(i), message: describe(i) })), warnings: [] };
  const template = parsed.data;
  const used = new Set<string>();
  const issues = contentFields(template).flatMap((f) => fieldIssues(f.name, f.source, f.html, template.variables, liquid, used));
  // Which declared names are read is only known once every field parsed.
  if (issues.length) return { ok: false, issues, warnings: [] };
  const warnings: TemplateIssue[] = [
    ...template.variables.traits.filter((t) => !used.has(`traits:${t}`)).map((t) => ({ path: 'variables.traits', message: `"${t}" is declared but no field reads it; remove it` })),
    ...template.variables.event.filter((p) => !used.has(`event:${p}`)).map((p) => ({ path: 'variables.event', message: `"${p}" is declared but no field reads it; remove it` })),
  ];
  return { ok: true, template, warnings };
}

