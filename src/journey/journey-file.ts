import fs from 'node:fs';
import type { PublishedJourney } from './schema';
import { parseDefinitionText } from './definition-text';
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

/** Parses the text (src/journey/definition-text.ts), and names the line of a field when it parsed. */
function parse(file: string, text: string): Parsed {
  const { doc, lines, value, issue } = parseDefinitionText(file, text);
  if (issue) return { issue, lineOf: nowhere };
  const lineOf = (path: string) => {
    if (doc.errors.length) return undefined;
    const keys = path ? path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : [];
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { value, lineOf };
}

/** Reads, parses and validates one journey file. Never throws for a bad or missing file: the issues say what is wrong. */
export function checkJourneyFile(file: string, limits: ValidationLimits): CheckedFile {
  const refuse = (message: string): CheckedFile => ({ file, issues: [{ path: '', message }], warnings: [], lineOf: nowhere });
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (limits.maxFileBytes !== undefined && size > limits.maxFileBytes) {
    return refuse(`is ${size} bytes, over WAYMARK_JOURNEY_MAX_BYTES (${limits.maxFileBytes}); a journey is hand-written and far smaller: check it is the right file, or raise the limit`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    return refuse(`${why}; name a .json, .yaml or .yml journey file`);
  }
  return checkJourneyText(file, text, limits);
}

/** Parses and validates a journey's text (`name`: its file, or where it came from, for messages and the YAML/JSON choice). */
export function checkJourneyText(name: string, text: string, limits: ValidationLimits): CheckedFile {
  const file = name;
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
