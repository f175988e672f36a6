import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli';

/**
 * Hand-made hostile journey and template files: each must be refused with its name while the
 * good files next to it go on.
 */

/** "Billion laughs": nine aliases of nine aliases, nine levels down (9^9 strings once expanded). */
export const ALIAS_BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n') + '\n';

const FILTER = '{property: plan, op: eq, value: pro}';

/** A journey whose entry filter is `levels` "not"s deep, as YAML flow maps. */
export function deepFilterYaml(levels: number): string {
  return `id: deep-yaml\nname: Deep YAML\nentry:\n  event: signed_up\n  filter: ${'{not: '.repeat(levels)}${FILTER}${'}'.repeat(levels)}\nstart: done\nsteps:\n  done: {kind: exit}\n`;
}

/** The same in JSON (JSON.stringify would recurse as deep, so it is written out). */
export function deepFilterJson(levels: number): string {
  const filter = `${'{"not":'.repeat(levels)}{"property":"plan","op":"eq","value":"pro"}${'}'.repeat(levels)}`;
  return `{"id":"deep-json","name":"Deep JSON","entry":{"event":"signed_up","filter":${filter}},"start":"done","steps":{"done":{"kind":"exit"}}}\n`;
}

/** `text` with a YAML comment after it that takes it to `bytes`. */
export function padded(text: string, bytes: number): string {
  return `${text}# ${'x'.repeat(bytes - Buffer.byteLength(text) - 3)}\n`;
}

/** The welcome series example: a good journey file. */
export const welcomeYaml = () => fs.readFileSync(path.join(ROOT, 'docs/examples/welcome-series.yaml'), 'utf8');
/** The win-back example: a good journey file. */
export const winbackJson = () => fs.readFileSync(path.join(ROOT, 'docs/examples/winback.json'), 'utf8');
