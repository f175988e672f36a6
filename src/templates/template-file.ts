import fs from 'node:fs';
import path from 'node:path';
import { parseDefinitionText } from '../journey/definition-text';
import type { ValidationIssue } from '../journey/validate';
import type { Engines } from './liquid';
import type { PublishedTemplate } from './schema';
import { sealTemplate, validateTemplate, type TemplateIssue, type TemplateLimits } from './validate';

export const TEMPLATE_FILE = /\.(json|ya?ml)$/;

/** A template file after checking: its template when valid, and every problem with its line. */
export interface CheckedTemplateFile {
  file: string;
  published?: PublishedTemplate;
  issues: ValidationIssue[];
  warnings: ValidationIssue[];
  /** The line a field is on (`id`, `channel`), for problems found after checking: an id used twice, a refused channel. */
  lineOf(path: string): number | undefined;
}

type Locate = (issue: TemplateIssue) => ValidationIssue;

/**
 * Parses the text (src/journey/definition-text.ts) so an issue can name its line: the line of its
 * field, plus its row inside the field when the field is a block (`html: |`). In JSON a field is
 * one line, so the field's line is the best there is.
 */
function parse(file: string, text: string): { value?: unknown; issue?: ValidationIssue; locate: Locate } {
  const { doc, lines, ...parsed } = parseDefinitionText(file, text);
  const json = file.endsWith('.json');
  const locate: Locate = ({ row, ...issue }) => {
    const keys = issue.path ? issue.path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : [];
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number]; type?: string } | undefined;
      if (!node?.range) continue;
      const start = lines.linePos(node.range[0]).line;
      const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
      const line = n < keys.length || !row || json ? start : block ? start + row : start + row - 1;
      return { ...issue, line };
    }
    return issue;
  };
  return { ...parsed, locate };
}

/** Reads, parses and validates one template file. Never throws for a bad or missing file: the issues say what is wrong. */
export function checkTemplateFile(file: string, liquid: Engines, limits: TemplateLimits): CheckedTemplateFile {
  const refuse = (message: string): CheckedTemplateFile => ({ file, issues: [{ path: '', message }], warnings: [], lineOf: () => undefined });
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return refuse('does not exist; name a .json, .yaml or .yml template file, or a folder of them');
  if (!TEMPLATE_FILE.test(file)) return refuse('is not a template file: name a .json, .yaml or .yml file, or a folder of them');
  if (stat.size > limits.maxFileBytes) return refuse(`is ${stat.size} bytes, over WAYMARK_TEMPLATE_MAX_BYTES (${limits.maxFileBytes}); split it, or raise the limit`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return refuse(`cannot be read (${(err as Error).message})`);
  }
  const { value, issue, locate } = parse(file, text);
  const lineOf = (path: string) => locate({ path, message: '' }).line;
  if (issue) return { file, issues: [issue], warnings: [], lineOf };
  const result = validateTemplate(value, liquid);
  const warnings = result.warnings.map(locate);
  if (!result.ok) return { file, issues: result.issues.map(locate), warnings, lineOf };
  return { file, published: sealTemplate(result.template), issues: [], warnings, lineOf };
}

/** The files named, with folders replaced by their template files; each file once. `empty` are folders with none. */
export function expandTemplateArgs(args: string[]): { files: string[]; empty: string[] } {
  const files: string[] = [];
  const empty: string[] = [];
  for (const arg of args) {
    const isDir = fs.statSync(arg, { throwIfNoEntry: false })?.isDirectory();
    const found = isDir ? fs.readdirSync(arg).filter((f) => TEMPLATE_FILE.test(f)).sort().map((f) => path.join(arg, f)) : [arg];
    if (!found.length) empty.push(arg);
    for (const file of found) if (!files.some((f) => path.resolve(f) === path.resolve(file))) files.push(file);
  }
  return { files, empty };
}
