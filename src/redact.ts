/**
 * What Waymark never prints or stores in clear: contact details in log messages (a database
 * error quotes the row it refused, a provider the request it got) and the configured secrets in
 * any text a provider sends back (a provider that echoes the credential in its error).
 */
import { ENV, SECRET_VARIABLES } from './config-variables';

/** Bounded repetitions keep matching linear: an unbounded `[^@]+@` rescans the rest of the text from every position. */
const EMAIL_LIKE = /[^\s@/"'\\]{1,64}@[^\s@/"'\\]{1,255}/g;
/** Seven digits or more, optionally after "+" and with spaces, dots, dashes or brackets between: phone numbers, and anything that looks like one. */
const PHONE_LIKE = /\+?\d[\d ().-]{5,30}\d/g;

/** A calendar date (2026-11-21) looks like a phone number to PHONE_LIKE; log lines are full of them. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `text` with email- and phone-like parts replaced by [email] and [phone]. Over-redacting a long
 * number is the price of never logging a contact detail; ISO dates are kept.
 */
export function redactContacts(text: string): string {
  // Most texts have neither an "@" nor a digit run: skip the regular expressions then.
  const emailSafe = text.includes('@') ? text.replace(EMAIL_LIKE, '[email]') : text;
  return /\d/.test(emailSafe) ? emailSafe.replace(PHONE_LIKE, (found) => (ISO_DATE.test(found) ? found : '[phone]')) : emailSafe;
}

export type Redact = (text: string) => string;

/** Replaces each of `secrets` (and its JSON-escaped form, as it appears inside a JSON text) by [secret]. */
export function secretRedactor(secrets: Iterable<string>): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first: a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (!ordered.length) return (text) => text;
  return (text) => ordered.reduce((out, secret) => (out.includes(secret) ? out.replaceAll(secret, '[secret]') : out), text);
}

/**
 * The values of the variables in SECRET_VARIABLES, as config holds them: an API key list gives
 * its keys, a payload key list its keys in base64, a database URL its password (decoded and as written). Read from the variables'
 * table, so a secret variable added there is redacted without a change here. Fields absent from
 * `config` (a logger made from a partial config) give nothing.
 */
export function configuredSecrets(config: object): string[] {
  const secrets: string[] = [];
  for (const [name, at] of ENV) {
    if (!SECRET_VARIABLES.has(name)) continue;
    const value = at.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
    secrets.push(...secretsIn(value));
  }
  return secrets.filter(Boolean);
}

function secretsIn(value: unknown): string[] {
  if (Buffer.isBuffer(value)) return [value.toString('base64')]; // a payload key, as WAYMARK_TEMPORAL_PAYLOAD_KEYS spells it
  if (Array.isArray(value)) return value.flatMap((entry) => secretsIn((entry as { key?: unknown })?.key ?? entry));
  if (typeof value !== 'string') return [];
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [value];
  try {
    const { password } = new URL(value);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [value]; // not a URL after all: the whole value is the secret
  }
}
