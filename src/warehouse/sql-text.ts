/**
 * A small scanner over SQL text that knows quotes and comments: enough to find function calls
 * and parameters without a parser, so the dialect fixes in dialect.ts never touch a string literal.
 */

/** End (exclusive) of the quoted string or comment starting at `i`, or -1 if none starts there. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  if (c === "'" || c === '"' || c === '`') {
    for (let j = i + 1; j < sql.length; j++) {
      if (sql[j] === '\\') j++;
      else if (sql[j] === c) return j + 1;
    }
    return sql.length;
  }
  return -1;
}

/** Index of the parenthesis closing the one at `open`. */
export function closingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip !== -1) {
      i = skip - 1;
      continue;
    }
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in SQL near: ${sql.slice(open, open + 60)}`);
}

/** Splits a call's argument text at its top-level commas. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const skip = skipQuotedOrComment(text, i);
    if (skip !== -1) {
      i = skip - 1;
      continue;
    }
    if (text[i] === '(' || text[i] === '[') depth++;
    else if (text[i] === ')' || text[i] === ']') depth--;
    else if (text[i] === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(text.slice(start).trim());
  return args;
}

/**
 * Replaces every call of function `name` (case-insensitive, outside strings and comments) by
 * `rewrite(args)`; the arguments are rewritten first, so nested calls work.
 */
export function rewriteCalls(sql: string, name: string, rewrite: (args: string[], original: string) => string): string {
  const head = new RegExp(`^${name}\\s*\\(`, 'i');
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip !== -1) {
      out += sql.slice(i, skip);
      i = skip;
      continue;
    }
    const match = /[A-Za-z0-9_$.]/.test(sql[i - 1] ?? ' ') ? null : head.exec(sql.slice(i, i + name.length + 20));
    if (match) {
      const open = i + match[0].length - 1;
      const close = closingParen(sql, open);
      const inner = rewriteCalls(sql.slice(open + 1, close), name, rewrite);
      out += rewrite(splitArgs(inner), `${sql.slice(i, open + 1)}${inner})`);
      i = close + 1;
      continue;
    }
    out += sql[i];
    i++;
  }
  return out;
}

/** Replaces each match of `pattern` (global) found outside strings and comments. */
export function replaceOutsideQuotes(sql: string, pattern: RegExp, replacement: (match: RegExpExecArray) => string): string {
  let out = '';
  let plain = '';
  const flush = () => {
    out += plain.replace(pattern, (...m) => replacement(m.slice(0, -2) as unknown as RegExpExecArray));
    plain = '';
  };
  for (let i = 0; i < sql.length; ) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip !== -1) {
      flush();
      out += sql.slice(i, skip);
      i = skip;
      continue;
    }
    plain += sql[i];
    i++;
  }
  flush();
  return out;
}

/** A script's statements, split at the semicolons outside strings and comments (empty ones dropped). */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip !== -1) {
      i = skip - 1;
      continue;
    }
    if (sql[i] === ';') {
      statements.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  statements.push(sql.slice(start));
  return statements.filter((s) => s.replace(/--.*$/gm, '').trim());
}
