import { Liquid, toValue, type Context, type Emitter } from 'liquidjs';
import type { TemplateChannel } from './schema';

/**
 * The Liquid subset templates may use: standard Liquid tags and filters, as Braze accepts them.
 * Tags that read other files (include, render, layout) are left out, so a template cannot reach
 * the file system; so are liquidjs's own additions, so a template written here also works in Braze.
 */
export const TAGS = ['#', 'assign', 'break', 'capture', 'case', 'comment', 'continue', 'cycle', 'decrement', 'for', 'if', 'increment', 'unless'] as const;
export const FILTERS = [
  'abs', 'append', 'at_least', 'at_most', 'capitalize', 'ceil', 'compact', 'concat', 'date', 'default', 'divided_by', 'downcase',
  'escape', 'escape_once', 'first', 'floor', 'join', 'last', 'lstrip', 'map', 'minus', 'modulo', 'newline_to_br', 'plus',
  'prepend', 'remove', 'remove_first', 'replace', 'replace_first', 'reverse', 'round', 'rstrip', 'size', 'slice', 'sort',
  'sort_natural', 'split', 'strip', 'strip_html', 'strip_newlines', 'times', 'truncate', 'truncatewords', 'uniq', 'upcase',
  'url_decode', 'url_encode', 'where',
] as const;

/** Braze features with no Liquid equivalent: named in errors so an author knows why. */
export const BRAZE_ONLY_TAGS = ['connected_content', 'content_blocks', 'abort_message', 'catalog_items', 'promotion', 'rerender'];

/** What liquidjs's own emitter prints for a value (its `stringify`): nil as nothing, a list as its items run together. */
function printed(value: unknown): string {
  const v: unknown = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(printed).join('');
  return String(v);
}

/** Output that counts against the render's memory limit as it is written. */
class ChargedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly ctx: Context) {}
  write(value: unknown): void {
    const text = printed(value);
    this.ctx.memoryLimit.use(text.length);
    this.buffer += text;
  }
}

/**
 * liquidjs's memoryLimit counts ranges, lists and the strings filters make, but not what a
 * template prints: a loop printing a long value, or a `capture` doubling itself, would still build
 * gigabytes. Every render that starts an output of its own (the field's, and each `capture`'s)
 * gets one that charges the same limit.
 */
function chargeOutput(engine: Liquid): void {
  const { renderer } = engine;
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = (templates, ctx, emitter) => renderTemplates(templates, ctx, emitter ?? new ChargedEmitter(ctx));
}

function restricted(options: { html: boolean; renderLimitMs: number; memoryLimit: number; parseLimit: number }): Liquid {
  const engine = new Liquid({
    strictFilters: true,
    strictVariables: true,
    // With strictVariables, a missing variable must still be allowed in `if` and before `| default`.
    lenientIf: true,
    ownPropertyOnly: true,
    // Dates print in UTC whatever the worker's zone, so every worker renders the same text.
    timezoneOffset: 0,
    renderLimit: options.renderLimitMs,
    memoryLimit: options.memoryLimit,
    parseLimit: options.parseLimit,
    ...(options.html ? { outputEscape: 'escape' as const } : {}),
  });
  for (const name of Object.keys(engine.tags)) if (!(TAGS as readonly string[]).includes(name)) delete engine.tags[name];
  for (const name of Object.keys(engine.filters)) if (!(FILTERS as readonly string[]).includes(name)) engine.unregisterFilter(name);
  chargeOutput(engine);
  return engine;
}

export interface Engines {
  /** For text fields: variables print as they are. */
  text: Liquid;
  /** For HTML fields: what a variable prints is HTML-escaped. */
  html: Liquid;
  /** The largest message a render may give, per channel, in UTF-8 bytes. */
  maxOutputBytes: Readonly<Record<TemplateChannel, number>>;
}

export interface LiquidLimits {
  renderLimitMs: number;
  /** One field's render, in liquidjs's units: characters made or printed, items of lists and ranges. */
  memoryLimit: number;
  maxFileBytes: number;
  maxOutputBytes: Readonly<Record<TemplateChannel, number>>;
}

export function engines(limits: LiquidLimits): Engines {
  const common = { renderLimitMs: limits.renderLimitMs, memoryLimit: limits.memoryLimit, parseLimit: limits.maxFileBytes };
  return { text: restricted({ ...common, html: false }), html: restricted({ ...common, html: true }), maxOutputBytes: limits.maxOutputBytes };
}


/** A liquidjs error's message without its ", line:2, col:3" tail, and its row within the field. */
export function liquidProblem(err: unknown): { message: string; row?: number } {
  const raw = String((err as Error)?.message ?? err);
  const at = /, line:(\d+), col:(\d+)$/.exec(raw);
  const message = at ? raw.slice(0, at.index) : raw;
  return at ? { message, row: Number(at[1]) } : { message };
}
