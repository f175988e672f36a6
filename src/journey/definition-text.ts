import YAML from 'yaml';
import type { ValidationIssue } from './validate';

/** A journey or template file's text, parsed: its value, or the problem that stopped it; and its YAML document, to name the line of a field. */
export interface ParsedText {
  doc: YAML.Document;
  lines: YAML.LineCounter;
  value?: unknown;
  issue?: ValidationIssue;
}

function tooDeep(line?: number): ValidationIssue {
  return { path: '', message: 'nests lists and maps too deeply to be read; write it with fewer levels', ...(line ? { line } : {}) };
}

/**
 * Parses the text of a journey or template file. JSON is read by JSON.parse (its own errors) and,
 * like YAML, kept as a YAML document (JSON is YAML too) so a problem found later can name its line.
 * A hostile file gets an issue, never an exception: YAML aliases that expand past yaml's budget (a
 * "billion laughs"), or that point nowhere, and nesting deep enough to exhaust the reader's stack.
 */
export function parseDefinitionText(file: string, text: string): ParsedText {
  const lines = new YAML.LineCounter();
  const json = file.endsWith('.json');
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: !json });
  if (json) {
    try {
      return { doc, lines, value: JSON.parse(text) };
    } catch (err) {
      const message = (err as Error).message; // Node 22 says "(line 5 column 1)"
      const line = /line (\d+)/.exec(message)?.[1];
      return { doc, lines, issue: { path: '', message: `is not valid JSON: ${message}`, ...(line ? { line: Number(line) } : {}) } };
    }
  }
  const [error] = doc.errors;
  if (error) {
    const { line, col } = lines.linePos(error.pos[0]);
    // yaml turns a stack overflow while it builds nested lists and maps into this code.
    if (error.code === 'RESOURCE_EXHAUSTION') return { doc, lines, issue: tooDeep(line) };
    return { doc, lines, issue: { path: '', message: `is not valid YAML: ${error.message} (line ${line}, column ${col})`, line } };
  }
  try {
    return { doc, lines, value: doc.toJS() };
  } catch (err) {
    if (err instanceof RangeError) return { doc, lines, issue: tooDeep() };
    // yaml expands aliases here, and refuses one without its anchor or past 100 uses in all.
    return { doc, lines, issue: { path: '', message: `is not valid YAML: ${(err as Error).message}; write out what its aliases (*name) stand for` } };
  }
}
