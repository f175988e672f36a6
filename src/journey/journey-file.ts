import fs from 'node:fs';
import YAML from 'yaml';
import type { PublishedJourney } from './schema';
import { sealJourney } from './publish';
import { validateJourney, type ValidationIssue, type ValidationLimits } from './validate';

export const JOURNEY_FILE = /\.(json|ya?ml)$/;

/** A journey file after checking: its journey when valid, and every problem, each with its line. */
export interface CheckedFile {
  file: string;
  published?: PublishedJourney;
  /** What makes it invalid: unreadable, bad syntax, bad shape or graph. Empty when it is valid. */
  issues: ValidationIssue[];
  /** Parts of a valid journey no run takes. */
  warnings: ValidationIssue[];
  /** The line a field is on (`steps.nudge.next`), or that of its nearest enclosing field. */
  lineOf(path: string): number | undefined;
}

const nowhere = () => undefined;

interface Parsed {
  value?: unknown;
  issue?: ValidationIssue;
  lineOf: CheckedFile['lineOf'];
}

/**
 * Parses the text, and keeps it as a YAML document (JSON is YAML too, for this purpose) so a
 * problem found on the value can name its line.
 */
function parse(file: string, text: string): Parsed {
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: !file.endsWith('.json') });
  const lineOf = (path: string) => {
    if (doc.errors.length) return undefined;
    const keys = path ? path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : [];
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (file.endsWith('.json')) {
    try {
      return { value: JSON.parse(text), lineOf };
    } catch (err) {
      const message = (err as Error).message; // Node 22 says "(line 5 column 1)"
      const line = /line (\d+)/.exec(message)?.[1];
      return { issue: { path: '', message: `is not valid JSON: ${message}`, ...(line ? { line: Number(line) } : {}) }, lineOf: nowhere };
    }
  }
  const [error] = doc.errors;
  if (!error) return { value: doc.toJS(), lineOf };
  const { line, col } = lines.linePos(error.pos[0]);
  return { issue: { path: '', message: `is not valid YAML: ${error.message} (line ${line}, column ${col})`, line }, lineOf: nowhere };
}

/** Reads, parses and validates one journey file. Never throws for a bad or missing file: the issues say what is wrong. */
export function checkJourneyFile(file: string, limits: ValidationLimits): CheckedFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    return { file, issues: [{ path: '', message: `${why}; name a .json, .yaml or .yml journey file` }], warnings: [], lineOf: nowhere };
  }
  const { value, issue, lineOf } = parse(file, text);
  if (issue) return { file, issues: [issue], warnings: [], lineOf };
  const located = (i: ValidationIssue): ValidationIssue => {
    const line = lineOf(i.path);
    return line ? { ...i, line } : i;
  };
  const result = validateJourney(value, limits);
  const warnings = result.warnings.map(located);
  if (!result.ok) return { file, issues: result.issues.map(located), warnings, lineOf };
  return { file, published: sealJourney(result.journey), issues: [], warnings, lineOf };
}
